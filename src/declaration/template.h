// File: declaration/template.h
// The commented declaration template and its filled-in form, both written from the schema table.
#pragma once

#include <map>
#include <string>

namespace iotcop::declaration {

// Every field, commented out, with its help, type, provisions and an example.
std::string Template();
// A declaration with the given answers (field path -> raw text as the user typed it); fields with
// no answer stay commented out as in Template().
std::string Filled(const std::map<std::string, std::string>& answers);

}  // namespace iotcop::declaration
