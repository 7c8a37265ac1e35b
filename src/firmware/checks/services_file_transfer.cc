// fw.services.file-transfer: FTP and TFTP servers started at boot. TFTP has no authentication at
// all; FTP sends credentials in cleartext.
#include "core/check_util.h"
#include "core/fact_kinds.h"
#include "firmware/checks/services_named.h"

namespace iotcop {
namespace {

Status CheckServicesFileTransfer(CheckContext& ctx) {
  checkutil::ReportServicesNamed(
      ctx, {{"tftpd", "in.tftpd", "atftpd", "utftpd", "tftp-hpa", "opentftpd"},
            "a TFTP server",
            "TFTP has no authentication: anyone on the network can read (and often "
            "write) files.",
            Severity::kHigh});
  checkutil::ReportServicesNamed(
      ctx, {{"ftpd", "vsftpd", "proftpd", "pure-ftpd", "bftpd", "in.ftpd", "stupid-ftpd"},
            "an FTP server",
            "FTP sends credentials and data in cleartext.",
            Severity::kMedium});
  return Ok();
}

}  // namespace

std::unique_ptr<const Check> MakeFileTransferCheck() {
  return checkutil::MakeFunctionCheck(
      {"fw.services.file-transfer",
       "FTP and TFTP servers started at boot",
       {"5.6-1", "5.6-5"},
       {InputKind::kFirmware},
       {facts::kService},
       "File transfer servers expose the file system over unauthenticated (TFTP) or cleartext "
       "(FTP) "
       "protocols; a consumer device rarely needs them (5.6-1, 5.6-5).",
       "Do not start FTP/TFTP servers at boot; use authenticated, encrypted transfer when a "
       "feature "
       "needs it, and only while the user has enabled it.",
       Severity::kHigh},
      CheckServicesFileTransfer);
}

}  // namespace iotcop
