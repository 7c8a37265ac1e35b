// Generic "api_token = VALUE" style assignments in configuration files. A generic name proves
// little, so the value must look random: min_entropy applies to the value after the separator.

rule generic_api_token_assignment
{
  meta:
    description = "API token, key or secret assigned in a configuration file"
    kind = "token"
    provision = "5.4-3"
    value = "after-separator"
    min_entropy = "3.0"
  strings:
    $a = /\b(api[_-]?token|api[_-]?key|api[_-]?secret|access[_-]?token|auth[_-]?token|client[_-]?secret|secret[_-]?key|cloud[_-]?key)["']?[ \t]{0,4}[=:][ \t]{0,4}["']?[A-Za-z0-9_\-\/+=.]{16,128}/ nocase
  condition:
    $a
}

rule mqtt_password_assignment
{
  meta:
    description = "MQTT or cloud broker password in a configuration file"
    kind = "password"
    provision = "5.4-3"
    value = "after-separator"
    min_entropy = "2.5"
  strings:
    $a = /\b(mqtt[_-]?pass(word)?|broker[_-]?pass(word)?|cloud[_-]?pass(word)?)["']?[ \t]{0,4}[=:][ \t]{0,4}["']?[^\s"'#]{6,128}/ nocase
  condition:
    $a
}
