// The translation unit the precompiled header (src/CMakeLists.txt, iotcop_pch) is built with.
