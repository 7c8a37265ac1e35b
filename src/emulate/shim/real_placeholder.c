/* File: emulate/shim/real_placeholder.c
 * The placeholder the interposing nvram shim is linked against, only so that it records a
 * DT_NEEDED of libiotcop-real-0000.so: at run time that name is the vendor's own nvram library
 * (emulate/nvram.cc renumbers it and links it to the vendor's file). Never shipped. */
void iotcop_real_placeholder(void) {}
