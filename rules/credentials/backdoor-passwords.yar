// Hard-coded passwords found in IoT binaries: vendor backdoor and telnet passwords that the Mirai
// source (public since 2016) and later variants use because they are compiled into products.
// Each string is distinctive enough not to occur by chance in unrelated code.

rule vendor_backdoor_password
{
  meta:
    description = "a known hard-coded vendor telnet/backdoor password compiled into a program"
    kind = "password"
    provision = "5.1-1"
    user = "root"
  strings:
    $xc3511 = "xc3511" fullword ascii
    $vizxv = "vizxv" fullword ascii
    $xmhdipc = "xmhdipc" fullword ascii
    $juantech = "juantech" fullword ascii
    $klv1234 = "klv1234" fullword ascii
    $zte521 = "Zte521" fullword ascii
    $hi3518 = "hi3518" fullword ascii
    $jvbzd = "jvbzd" fullword ascii
    $u7 = "7ujMko0admin" fullword ascii
    $u7b = "7ujMko0vizxv" fullword ascii
    $hsl = "hslwificam" fullword ascii
    $gm = "GM8182" fullword ascii
    $tsg = "tsgoingon" fullword ascii
    $huawei = "Admin@huawei" fullword ascii
  condition:
    any of them
}

rule embedded_crypt_account_line
{
  meta:
    description = "a passwd/shadow line with a crypt hash embedded in a program (recreated on every unit)"
    kind = "password"
    provision = "5.1-1"
  strings:
    $line = /\b[a-z_][a-z0-9_-]{0,31}:\$(1|5|6)\$[.\/0-9A-Za-z]{0,16}\$[.\/0-9A-Za-z]{22,86}:/
  condition:
    $line and uint32(0) == 0x464c457f
}
