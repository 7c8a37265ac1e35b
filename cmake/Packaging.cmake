# Debian packages built by CPack (`make package`, or `cpack -G DEB` in a configured build tree):
#   iotcop_<version>_<arch>.deb           bin/iotcop and share/iotcop/<data folders>, under /usr
#   iotcop-<plugin>_<version>_<arch>.deb  one per plugin (lib/iotcop/iotcop-<plugin>.so), which
#                                         depends on iotcop of the same version
# Each package is an install component: an install() rule without COMPONENT belongs to iotcop
# (CMAKE_INSTALL_DEFAULT_COMPONENT_NAME in the root CMakeLists.txt), a plugin's to the plugin's name
# (src/CMakeLists.txt). Depends are the run-time libraries as dpkg-shlibdeps computes them, so the
# main package does not depend on libpqxx: only iotcop-postgres does.
# tests/integration/package_test.cc builds them, extracts them into a fresh prefix and runs them.

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME iotcop)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(IOTCOP_PACKAGE_MAINTAINER "iotcop maintainers <maintainers@iotcop.invalid>"
    CACHE STRING "Maintainer field of the Debian packages")
set(CPACK_PACKAGE_CONTACT "${IOTCOP_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# A component's dependency on another becomes "iotcop (= <version>)": a plugin from another build
# is refused by the loader (core/plugin.h), so the versions must match exactly.
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
find_program(IOTCOP_DPKG dpkg)
if(IOTCOP_DPKG)
  execute_process(COMMAND ${IOTCOP_DPKG} --print-architecture
                  OUTPUT_VARIABLE CPACK_DEBIAN_PACKAGE_ARCHITECTURE OUTPUT_STRIP_TRAILING_WHITESPACE)
endif()
# Without dpkg-shlibdeps CPack would silently write a package without Depends: it fails instead.
set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_CURRENT_LIST_DIR}/PackagingCheck.cmake)

# The description: a synopsis line, then the README's first paragraph (Markdown emphasis dropped),
# wrapped to lines shorter than 80 characters as Debian policy asks; no Homepage field.
file(READ ${CMAKE_SOURCE_DIR}/README.md iotcop_readme)
string(REGEX MATCH "\n\n([^\n]+(\n[^\n]+)*)" iotcop_readme "${iotcop_readme}")
string(REGEX REPLACE "[*`]" "" iotcop_readme "${CMAKE_MATCH_1}")
string(REGEX REPLACE "[ \n]+" ";" iotcop_readme_words "${iotcop_readme}")
set(iotcop_description "")
set(iotcop_line "")
foreach(word IN LISTS iotcop_readme_words)
  string(LENGTH "${iotcop_line} ${word}" iotcop_length)
  if(iotcop_line AND iotcop_length GREATER 79)
    string(APPEND iotcop_description "\n${iotcop_line}")
    set(iotcop_line "${word}")
  elseif(iotcop_line)
    string(APPEND iotcop_line " ${word}")
  else()
    set(iotcop_line "${word}")
  endif()
endforeach()
string(APPEND iotcop_description "\n${iotcop_line}")
set(CPACK_DEBIAN_IOTCOP_DESCRIPTION
    "evidence-backed security assessment of consumer IoT products${iotcop_description}")
set(CPACK_DEBIAN_IOTCOP_PACKAGE_NAME iotcop)
set(CPACK_DEBIAN_POSTGRES_DESCRIPTION
    "PostgreSQL backend of iotcop's results store
The plugin that lets iotcop keep its assessments in a PostgreSQL database
(--db postgresql://...). It is loaded only by the runs that use such a store,
so that iotcop itself does not depend on libpqxx.")

# Every component other than iotcop is a plugin: its package is iotcop-<name> (CPack's default) and
# depends on iotcop.
get_cmake_property(CPACK_COMPONENTS_ALL COMPONENTS)
foreach(component IN LISTS CPACK_COMPONENTS_ALL)
  if(NOT component STREQUAL "iotcop")
    string(TOUPPER ${component} upper)
    set(CPACK_COMPONENT_${upper}_DEPENDS iotcop)
    if(NOT DEFINED CPACK_DEBIAN_${upper}_DESCRIPTION)
      set(CPACK_DEBIAN_${upper}_DESCRIPTION "plugin ${component} of iotcop\nlib/iotcop/iotcop-${component}.so, loaded by iotcop when a run needs it.")
    endif()
  endif()
endforeach()

include(CPack)
