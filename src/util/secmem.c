#include "util/secmem.h"

#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <sodium.h>

static int inited;

int secmem_init(void)
{
	if (inited)
		return 0;
	if (sodium_init() < 0)
		return -1;
	inited = 1;
	return 0;
}

void *secmem_alloc(size_t n)
{
	if (!inited && secmem_init() < 0)
		abort();
	void *p = sodium_malloc(n ? n : 1);
	if (!p) {
		static const char m[] = "certerox-aws-setup: out of secure memory\n";
		ssize_t r = write(2, m, sizeof(m) - 1);
		(void)r;
		abort();
	}
	memset(p, 0, n ? n : 1);
	return p;
}

char *secmem_strndup(const char *s, size_t n)
{
	if (!s)
		return NULL;
	size_t len = strnlen(s, n);
	char *p = secmem_alloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *secmem_strdup(const char *s)
{
	return s ? secmem_strndup(s, strlen(s)) : NULL;
}

void secmem_free(void *p)
{
	if (p)
		sodium_free(p); /* sodium_free wipes before releasing */
}

void secmem_wipe(void *p, size_t n)
{
	if (p && n)
		sodium_memzero(p, n);
}

int secmem_no_core_dumps(void)
{
	struct rlimit rl = {0, 0};
	int rc = setrlimit(RLIMIT_CORE, &rl);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		rc = -1;
	return rc;
}
