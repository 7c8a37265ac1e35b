<html><?php
$ip = $_GET['ip'];
$cmd = "ping -c 1 " . $ip;
function run($c) { return shell_exec($c); }
echo run($cmd);
$safe = escapeshellarg($_POST['host']);
system("nslookup $safe");
$n = (int)$_REQUEST['n'];
exec("sleep $n");
$out = `cat /tmp/{$_COOKIE['f']}`;
$body = file_get_contents('php://input');
passthru('sh -c ' . $body);
?></html>
