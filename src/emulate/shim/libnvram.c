/* File: emulate/shim/libnvram.c
 * The nvram of a device without the device (docs/emulation.md). Preloaded (LD_PRELOAD) into every
 * dynamically linked service that iotcop emulates, it answers the nvram calls of the usual vendor
 * libraries (Broadcom/Tomato libnvram and libshared, Netgear acos, Ralink/MediaTek nvram_bufget)
 * from the defaults found in the image, which iotcop writes to /.iotcop/nvram/defaults as
 * NUL-terminated "key=value" records. Values set at run time live in memory of the process that set them (a
 * device would keep them in flash; nvram_commit does nothing). Every key read that the defaults
 * lack is appended to /.iotcop/nvram/misses, so that the report can say what a service missed.
 *
 * Built for each architecture iotcop emulates with clang --target=... -nostdlib -shared
 * (src/emulate/shim/shims.cmake): no C library is linked in, the image's own one (uClibc, musl or
 * glibc) provides open, read, write and close at load time. Two builds of this file per
 * architecture: one preloaded (LD_PRELOAD, where the image's loader honours it), and one that
 * stands in for the vendor's library under its own name (LD_LIBRARY_PATH) and needs the vendor's
 * real file under the placeholder name libiotcop-real-0000.so, which iotcop renumbers per library
 * (emulate/nvram.cc): what this file does not define still comes from the vendor's library.
 * Everything is bounded by fixed buffers; nothing is allocated. */

#define NVRAM_DEFAULTS_MAX (1u << 20)
#define NVRAM_SET_MAX (256u << 10)

#if defined(__mips__)
#define NVRAM_O_WRONLY 01
#define NVRAM_O_APPEND 0x0008
#define NVRAM_O_CREAT 0x0100
#else
#define NVRAM_O_WRONLY 01
#define NVRAM_O_APPEND 02000
#define NVRAM_O_CREAT 0100
#endif

typedef __SIZE_TYPE__ size_t;
typedef long ssize_t;

extern int open(const char *path, int flags, ...);
extern ssize_t read(int fd, void *buf, size_t count);
extern ssize_t write(int fd, const void *buf, size_t count);
extern int close(int fd);

#define EXPORT __attribute__((visibility("default")))

static char nvram_defaults[NVRAM_DEFAULTS_MAX];
static size_t nvram_defaults_len;
static int nvram_loaded;
/* Run-time values: "key=value\0" records appended; the last record of a key wins; an unset key is
 * recorded as "key\0" (no '='). */
static char nvram_sets[NVRAM_SET_MAX];
static size_t nvram_sets_len;
static char nvram_empty[1];

static size_t nvram_strlen(const char *s) {
  size_t n = 0;
  while (s[n]) ++n;
  return n;
}

static int nvram_streq(const char *a, const char *b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}

static void nvram_load(void) {
  if (nvram_loaded) return;
  nvram_loaded = 1;
  int fd = open("/.iotcop/nvram/defaults", 0);
  if (fd < 0) return;
  while (nvram_defaults_len < sizeof nvram_defaults - 1) {
    ssize_t n = read(fd, nvram_defaults + nvram_defaults_len,
                     sizeof nvram_defaults - 1 - nvram_defaults_len);
    if (n <= 0) break;
    nvram_defaults_len += (size_t)n;
  }
  close(fd);
  nvram_defaults[nvram_defaults_len] = 0;
}

/* The value of `name` in the records of buf[0..len), or 0; *unset is set when the last record of
 * the key removes it. */
static char *nvram_find(char *buf, size_t len, const char *name, int *unset) {
  char *found = 0;
  size_t i = 0;
  while (i < len) {
    char *rec = buf + i;
    size_t n = 0;
    while (i + n < len && rec[n]) ++n;
    size_t k = 0;
    while (name[k] && k < n && rec[k] == name[k]) ++k;
    if (!name[k]) {
      if (k < n && rec[k] == '=') {
        found = rec + k + 1;
        if (unset) *unset = 0;
      } else if (k == n && unset) {
        found = 0;
        *unset = 1;
      }
    }
    i += n + 1;
  }
  return found;
}

static void nvram_note_miss(const char *name) {
  int fd = open("/.iotcop/nvram/misses", NVRAM_O_WRONLY | NVRAM_O_APPEND | NVRAM_O_CREAT, 0600);
  if (fd < 0) return;
  size_t n = nvram_strlen(name);
  if (n > 256) n = 256;
  char line[258];
  for (size_t i = 0; i < n; ++i) line[i] = name[i] == '\n' ? ' ' : name[i];
  line[n] = '\n';
  write(fd, line, n + 1);
  close(fd);
}

EXPORT char *nvram_get(const char *name) {
  if (!name) return 0;
  nvram_load();
  int unset = 0;
  char *v = nvram_find(nvram_sets, nvram_sets_len, name, &unset);
  if (v || unset) return v;
  v = nvram_find(nvram_defaults, nvram_defaults_len, name, 0);
  if (!v) nvram_note_miss(name);
  return v;
}

static int nvram_append(const char *name, const char *eq, const char *value) {
  size_t n = nvram_strlen(name), m = value ? nvram_strlen(value) : 0;
  size_t need = n + (eq ? 1 + m : 0) + 1;
  if (need > sizeof nvram_sets - nvram_sets_len) return -1;
  char *p = nvram_sets + nvram_sets_len;
  for (size_t i = 0; i < n; ++i) *p++ = name[i];
  if (eq) {
    *p++ = '=';
    for (size_t i = 0; i < m; ++i) *p++ = value[i];
  }
  *p = 0;
  nvram_sets_len += need;
  return 0;
}

EXPORT int nvram_set(const char *name, const char *value) {
  if (!name) return -1;
  nvram_load();
  return nvram_append(name, "=", value ? value : "");
}
EXPORT int nvram_unset(const char *name) { return name ? nvram_append(name, 0, 0) : -1; }
EXPORT int nvram_init(void *unused) {
  (void)unused;
  nvram_load();
  return 0;
}
EXPORT int nvram_commit(void) { return 0; }
EXPORT char *nvram_safe_get(const char *name) {
  char *v = nvram_get(name);
  return v ? v : nvram_empty;
}
EXPORT char *nvram_default_get(const char *name) {
  nvram_load();
  return name ? nvram_find(nvram_defaults, nvram_defaults_len, name, 0) : 0;
}
EXPORT int nvram_match(const char *name, const char *match) {
  char *v = nvram_get(name);
  return v && match && nvram_streq(v, match);
}
EXPORT int nvram_invmatch(const char *name, const char *match) {
  char *v = nvram_get(name);
  return v && match && !nvram_streq(v, match);
}
EXPORT int nvram_get_int(const char *name) {
  const char *v = nvram_safe_get(name);
  int sign = 1, n = 0;
  if (*v == '-') sign = -1, ++v;
  while (*v >= '0' && *v <= '9') n = n * 10 + (*v++ - '0');
  return sign * n;
}
/* Every "key=value\0" record, defaults first then what was set, ending in an empty string. */
EXPORT int nvram_getall(char *buf, int count) {
  if (!buf || count < 2) return -1;
  nvram_load();
  size_t size = (size_t)count - 1, out = 0;
  for (int part = 0; part < 2; ++part) {
    const char *src = part ? nvram_sets : nvram_defaults;
    size_t len = part ? nvram_sets_len : nvram_defaults_len;
    for (size_t i = 0; i < len && out < size; ++i) buf[out++] = src[i];
  }
  buf[out] = 0;
  if (out < size) buf[out + 1 < (size_t)count ? out + 1 : out] = 0;
  return 0;
}
/* Netgear (acos). */
EXPORT char *acosNvramConfig_get(const char *name) { return nvram_safe_get(name); }
EXPORT int acosNvramConfig_set(const char *name, const char *value) {
  return nvram_set(name, value);
}
EXPORT int acosNvramConfig_match(const char *name, const char *match) {
  return nvram_match(name, match);
}
EXPORT int acosNvramConfig_invmatch(const char *name, const char *match) {
  return nvram_invmatch(name, match);
}
EXPORT int acosNvramConfig_save(void) { return 0; }
/* Ralink/MediaTek: one table per index (2860 and RTDEV); the defaults serve them all. */
EXPORT char *nvram_bufget(int index, const char *name) {
  (void)index;
  return nvram_safe_get(name);
}
EXPORT int nvram_bufset(int index, const char *name, const char *value) {
  (void)index;
  return nvram_set(name, value);
}
EXPORT char *nvram_get_ex(int index, const char *name) { return nvram_bufget(index, name); }
EXPORT int nvram_set_ex(int index, const char *name, const char *value) {
  return nvram_bufset(index, name, value);
}
EXPORT int nvram_close(int index) {
  (void)index;
  return 0;
}
