# Read by cpack (CPACK_PROJECT_CONFIG_FILE, cmake/Packaging.cmake) before it builds the packages:
# without dpkg-shlibdeps CPack would write Debian packages without Depends.
if(CPACK_GENERATOR STREQUAL "DEB")
  find_program(IOTCOP_SHLIBDEPS dpkg-shlibdeps)
  if(NOT IOTCOP_SHLIBDEPS)
    message(FATAL_ERROR "dpkg-shlibdeps is missing (Debian package dpkg-dev): it computes the "
                        "packages' Depends (scripts/install-deps.sh installs it)")
  endif()
endif()
