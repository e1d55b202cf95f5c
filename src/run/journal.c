#include "run/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/paths.h"
#include "util/str.h"

#define JOURNAL_MAX (16u << 20)

struct journal {
	char *dir;
	char *path;
};

static void iso_now(char out[32])
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Creates dir with mode 0700 and makes sure it has that mode. */
static enum cx_status private_dir(const char *dir, struct cx_err *err)
{
	if (paths_mkdir_p(dir, 0700) != 0)
		return cx_err_set(err, CX_E_IO, "cannot create %s: %s", dir, strerror(errno));
	if (chmod(dir, 0700) != 0)
		return cx_err_set(err, CX_E_IO, "cannot set mode 0700 on %s: %s", dir,
		                  strerror(errno));
	return CX_OK;
}

enum cx_status journal_open(const char *state_dir, const char *account_id, struct journal **out,
                            struct cx_err *err)
{
	*out = NULL;
	char *dir = state_dir ? xstrdup(state_dir) : paths_state_dir();
	if (!dir)
		return cx_err_set(
		    err, CX_E_USAGE,
		    "HOME and XDG_STATE_HOME are both unset: no private place for the "
		    "journal");
	enum cx_status st = private_dir(dir, err);
	if (st != CX_OK) {
		free(dir);
		return st;
	}
	for (const char *p = account_id; p && *p; p++)
		if (*p < '0' || *p > '9') {
			free(dir);
			return cx_err_set(err, CX_E_INPUT, "account id \"%s\" is not 12 digits",
			                  account_id);
		}
	struct journal *j = xcalloc(1, sizeof(*j));
	j->dir = dir;
	j->path = xasprintf("%s/journal-%s.jsonl", dir,
	                    account_id && *account_id ? account_id : "unknown");
	int fd = open(j->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		st = cx_err_set(err, CX_E_IO, "cannot open %s: %s", j->path, strerror(errno));
		journal_close(j);
		return st;
	}
	fchmod(fd, 0600);
	close(fd);
	*out = j;
	return CX_OK;
}

void journal_close(struct journal *j)
{
	if (!j)
		return;
	free(j->dir);
	free(j->path);
	free(j);
}

const char *journal_path(const struct journal *j)
{
	return j->path;
}

const char *journal_dir(const struct journal *j)
{
	return j->dir;
}

enum cx_status journal_append(struct journal *j, const char *event, const cJSON *detail,
                              struct cx_err *err)
{
	cJSON *o = cJSON_CreateObject();
	char at[32];
	iso_now(at);
	cJSON_AddStringToObject(o, "at", at);
	cJSON_AddStringToObject(o, "event", event);
	if (detail)
		for (const cJSON *c = detail->child; c; c = c->next)
			cJSON_AddItemToObject(o, c->string, cJSON_Duplicate(c, 1));
	char *line = json_compact(o);
	cJSON_Delete(o);
	enum cx_status st = CX_OK;
	int fd = open(j->path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		st = cx_err_set(err, CX_E_IO, "cannot open %s: %s", j->path, strerror(errno));
		goto out;
	}
	size_t n = strlen(line);
	line[n] = '\n'; /* replace the NUL: write n+1 bytes */
	ssize_t w = write(fd, line, n + 1);
	if (w != (ssize_t)(n + 1) || fsync(fd) != 0)
		st = cx_err_set(err, CX_E_IO, "cannot write %s: %s", j->path, strerror(errno));
	close(fd);
out:
	free(line);
	return st;
}

cJSON *journal_entries(const struct journal *j)
{
	cJSON *arr = cJSON_CreateArray();
	size_t len = 0;
	char *text = paths_read_file(j->path, JOURNAL_MAX, &len);
	if (!text)
		return arr;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cJSON *o = cJSON_Parse(line);
		if (cJSON_IsObject(o))
			cJSON_AddItemToArray(arr, o);
		else
			cJSON_Delete(o);
	}
	free(text);
	return arr;
}

cJSON *journal_find_last(const struct journal *j, const char *event, const char *key,
                         const char *value)
{
	cJSON *all = journal_entries(j);
	cJSON *found = NULL;
	for (const cJSON *e = all->child; e; e = e->next) {
		if (!str_eq(json_str(e, "event"), event))
			continue;
		if (key && !str_eq(json_str(e, key), value))
			continue;
		cJSON_Delete(found);
		found = cJSON_Duplicate(e, 1);
	}
	cJSON_Delete(all);
	return found;
}

enum cx_status journal_backup_policy(struct journal *j, const char *bucket, const char *policy,
                                     char **path_out, struct cx_err *err)
{
	if (path_out)
		*path_out = NULL;
	char *bdir = xasprintf("%s/backup", j->dir);
	enum cx_status st = private_dir(bdir, err);
	if (st != CX_OK) {
		free(bdir);
		return st;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char stamp[32];
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	char *path = NULL;
	int fd = -1;
	for (int i = 0; i < 100 && fd < 0; i++) {
		free(path);
		path = i ? xasprintf("%s/bucket-policy-%s-%s-%d.json", bdir, bucket, stamp, i)
		         : xasprintf("%s/bucket-policy-%s-%s.json", bdir, bucket, stamp);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	free(bdir);
	if (fd < 0) {
		st = cx_err_set(err, CX_E_IO, "cannot save the bucket policy backup %s: %s", path,
		                strerror(errno));
		free(path);
		return st;
	}
	const char *text = policy ? policy : "null\n";
	size_t n = strlen(text);
	if (write(fd, text, n) != (ssize_t)n || fsync(fd) != 0)
		st = cx_err_set(err, CX_E_IO, "cannot write %s: %s", path, strerror(errno));
	close(fd);
	if (st == CX_OK) {
		cJSON *d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "bucket", bucket);
		cJSON_AddStringToObject(d, "backup", path);
		journal_append(j, "bucket_policy_backup", d, NULL);
		cJSON_Delete(d);
	}
	if (path_out && st == CX_OK)
		*path_out = path;
	else
		free(path);
	return st;
}
