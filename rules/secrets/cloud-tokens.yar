// Cloud credentials and API tokens with a vendor-specific format. The format itself is strong
// evidence, so min_entropy is low; the collector still drops obvious placeholders.
// meta: kind (token|api-key|password), provision, value (whole|after-separator), min_entropy.

rule aws_access_key_id
{
  meta:
    description = "AWS access key id"
    kind = "api-key"
    provision = "5.4-3"
    value = "whole"
    min_entropy = "2.5"
  strings:
    $a = /\b(AKIA|ASIA)[0-9A-Z]{16}\b/
  condition:
    $a
}

rule aws_secret_access_key
{
  meta:
    description = "AWS secret access key assignment"
    kind = "api-key"
    provision = "5.4-3"
    value = "after-separator"
    min_entropy = "3.5"
  strings:
    $a = /aws_secret_access_key["']?\s{0,4}[=:]\s{0,4}["']?[A-Za-z0-9\/+=]{40}/ nocase
  condition:
    $a
}

rule google_api_key
{
  meta:
    description = "Google API key"
    kind = "api-key"
    provision = "5.4-3"
    value = "whole"
    min_entropy = "3.0"
  strings:
    $a = /AIza[0-9A-Za-z_\-]{35}/
  condition:
    $a
}

rule stripe_style_secret_key
{
  meta:
    description = "live secret key with an sk_live_ / rk_live_ prefix (Stripe format, also used by IoT clouds)"
    kind = "token"
    provision = "5.4-3"
    value = "whole"
    min_entropy = "2.0"
  strings:
    $a = /\b[sr]k_live_[0-9A-Za-z]{16,99}/
  condition:
    $a
}

rule github_token
{
  meta:
    description = "GitHub personal access or app token"
    kind = "token"
    provision = "5.4-3"
    value = "whole"
    min_entropy = "3.0"
  strings:
    $a = /\bgh[pousr]_[A-Za-z0-9]{36}\b/
  condition:
    $a
}

rule slack_token
{
  meta:
    description = "Slack token"
    kind = "token"
    provision = "5.4-3"
    value = "whole"
    min_entropy = "3.0"
  strings:
    $a = /\bxox[abposr]-[0-9A-Za-z\-]{10,72}/
  condition:
    $a
}
