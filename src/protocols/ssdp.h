// File: protocols/ssdp.h
// SSDP / UPnP as the live UDP probe reads it: a header of an M-SEARCH answer (one datagram, read
// whether or not it ends with its empty line) and a field of the UPnP device description it
// points to (LOCATION). Bounded; values are returned raw, for the caller to show printably.
#pragma once

#include <string>
#include <string_view>

namespace iotcop::protocols {

// The value of the first header `lower_name` (e.g. "server", "location") of the answer, trimmed;
// "" when there is none.
std::string SsdpHeader(std::string_view answer, std::string_view lower_name);
// The text of the first <tag>...</tag> of a UPnP device description ("friendlyName",
// "modelNumber"...), up to the next '<', at most 200 bytes; "" when there is none.
std::string UpnpField(std::string_view xml, std::string_view tag);

}  // namespace iotcop::protocols
