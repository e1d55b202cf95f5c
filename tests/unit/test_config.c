/* Unit tests of src/aws/config.c and src/aws/endpoint.c: the AWS INI dialect, the
 * credential chain and its precedence, credential_process (with and without Expiration,
 * refresh), the "nothing found" message, and endpoint resolution (real hosts and signing
 * regions, every override, http on loopback only, S3 addressing). Every test works in its
 * own temporary HOME. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aws/config.h"
#include "aws/endpoint.h"
#include "util/mem.h"
#include "util/paths.h"
#include "util/secmem.h"
#include "util/str.h"

static char tmp[256];

static void write_file(const char *name, const char *text, mode_t mode)
{
	char *p = xasprintf("%s/%s", tmp, name);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	chmod(p, mode);
	free(p);
}

static char *tpath(const char *name)
{
	return xasprintf("%s/%s", tmp, name);
}

static const char *const aws_env[] = {"AWS_PROFILE",
                                      "AWS_DEFAULT_PROFILE",
                                      "AWS_ACCESS_KEY_ID",
                                      "AWS_SECRET_ACCESS_KEY",
                                      "AWS_SESSION_TOKEN",
                                      "AWS_SECURITY_TOKEN",
                                      "AWS_REGION",
                                      "AWS_DEFAULT_REGION",
                                      "AWS_CA_BUNDLE",
                                      "AWS_ENDPOINT_URL",
                                      "AWS_SHARED_CREDENTIALS_FILE",
                                      "AWS_CONFIG_FILE",
                                      "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
                                      "AWS_ENDPOINT_URL_STS",
                                      "AWS_ENDPOINT_URL_IAM",
                                      "AWS_ENDPOINT_URL_S3",
                                      "AWS_ENDPOINT_URL_EC2",
                                      "AWS_ENDPOINT_URL_ORGANIZATIONS",
                                      "AWS_ENDPOINT_URL_BCM_DATA_EXPORTS",
                                      "AWS_ENDPOINT_URL_COST_AND_USAGE_REPORT_SERVICE"};

static void setup(void)
{
	str_copy(tmp, sizeof(tmp), "/tmp/cx-test-config-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	for (size_t i = 0; i < sizeof(aws_env) / sizeof(aws_env[0]); i++)
		unsetenv(aws_env[i]);
	setenv("HOME", tmp, 1);
	char *d = tpath(".aws");
	mkdir(d, 0700);
	free(d);
}

static void teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmp);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

/* ---------------------------------------------------------------- INI */

START_TEST(ini_formats)
{
	const char *text = "# comment\n"
	                   "; another comment\n"
	                   "[default]\n"
	                   "region = eu-west-1\n"
	                   "output=json   # inline comment\n"
	                   "  \n"
	                   "[profile   prod ]   ; trailing comment\n"
	                   "   Region   =   us-west-2   \n"
	                   "s3 =\n"
	                   "  addressing_style = path\n"
	                   "  max_concurrent_requests = 20 ; comment\n"
	                   "credential_process = /bin/tool --arg=a#b\n"
	                   "colon_key: colon value\r\n"
	                   "multi = first\n"
	                   "    second\n"
	                   "    third\n"
	                   "after = x\n"
	                   "[prod]\n"
	                   "aws_access_key_id=AKIAPROD\n"
	                   "aws_secret_access_key = se/cr+et\n"
	                   "[default]\n"
	                   "extra = merged\n"
	                   "region = eu-central-1\n";
	struct cx_err err;
	struct aws_ini *ini = aws_ini_parse(text, strlen(text), "config", &err);
	ck_assert_msg(ini != NULL, "%s", err.msg);
	ck_assert_str_eq(aws_ini_get(ini, "default", "region"), "eu-central-1"); /* later wins */
	ck_assert_str_eq(aws_ini_get(ini, "default", "output"), "json");
	ck_assert_str_eq(aws_ini_get(ini, "default", "extra"), "merged");
	ck_assert_str_eq(aws_ini_get(ini, "profile prod", "region"), "us-west-2");
	ck_assert_str_eq(aws_ini_get(ini, "profile prod", "REGION"), "us-west-2");
	ck_assert_str_eq(aws_ini_get(ini, "profile prod", "s3"), "");
	ck_assert_str_eq(aws_ini_get(ini, "profile prod", "s3.addressing_style"), "path");
	ck_assert_str_eq(aws_ini_get(ini, "profile prod", "s3.max_concurrent_requests"), "20");
	ck_assert_ptr_null(aws_ini_get(ini, "profile prod", "addressing_style"));
	/* '#' not preceded by whitespace is part of the value */
	ck_assert_str_eq(aws_ini_get(ini, "profile prod", "credential_process"),
	                 "/bin/tool --arg=a#b");
	ck_assert_str_eq(aws_ini_get(ini, "profile prod", "colon_key"), "colon value");
	ck_assert_str_eq(aws_ini_get(ini, "profile prod", "multi"), "first\nsecond\nthird");
	ck_assert_str_eq(aws_ini_get(ini, "profile prod", "after"), "x");
	ck_assert_str_eq(aws_ini_get(ini, "prod", "aws_access_key_id"), "AKIAPROD");
	ck_assert_str_eq(aws_ini_get(ini, "prod", "aws_secret_access_key"), "se/cr+et");
	ck_assert_ptr_null(aws_ini_get(ini, "prod", "region"));
	ck_assert_ptr_null(aws_ini_get(ini, "nope", "region"));
	ck_assert_ptr_null(aws_ini_get(NULL, "default", "region"));
	aws_ini_free(ini);

	/* empty input and comment-only input are valid */
	ini = aws_ini_parse("", 0, "empty", &err);
	ck_assert_ptr_nonnull(ini);
	aws_ini_free(ini);
	ini = aws_ini_parse("# only\n\n", 8, "c", &err);
	ck_assert_ptr_nonnull(ini);
	aws_ini_free(ini);
	/* the last line needs no newline */
	ini = aws_ini_parse("[a]\nk=v", 7, "c", &err);
	ck_assert_str_eq(aws_ini_get(ini, "a", "k"), "v");
	aws_ini_free(ini);
}
END_TEST

START_TEST(ini_errors)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
	    {"key = value\n", "f.ini:1: 'key = value' before any [section]"},
	    {"[default]\nregion = x\n[broken\n", "f.ini:3: section title without ']'"},
	    {"[default]\njunk line\n", "f.ini:2: expected '[section]' or 'key = value'"},
	    {"[a] b\n", "f.ini:1: unexpected text after ']'"},
	    {"[ ]\n", "f.ini:1: empty section title"},
	    {"[a]\n= v\n", "f.ini:2: empty key"},
	    {"[a]\ns3 =\n  nokey\n", "f.ini:3: expected 'key = value' in the nested section"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cx_err err;
		cx_err_clear(&err);
		struct aws_ini *ini =
		    aws_ini_parse(cases[i].text, strlen(cases[i].text), "f.ini", &err);
		ck_assert_msg(ini == NULL, "case %zu parsed", i);
		ck_assert_int_eq(err.status, CX_E_INPUT);
		ck_assert_msg(str_starts_with(err.msg, cases[i].want), "case %zu: %s", i, err.msg);
	}
	struct cx_err err;
	ck_assert_ptr_null(aws_ini_parse("[a]\nk=v\0x\n", 10, "nul", &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "NUL"));
}
END_TEST

/* ---------------------------------------------------------------- chain */

static const char *CREDS = "[default]\n"
                           "aws_access_key_id = AKIADEFAULTCRED\n"
                           "aws_secret_access_key = secretdefaultcred\n"
                           "[prod]\n"
                           "aws_access_key_id = AKIAPRODCRED\n"
                           "aws_secret_access_key = secretprodcred\n"
                           "aws_session_token = tokenprodcred\n"
                           "region = ap-south-1\n";
static const char *CONFIG = "[default]\n"
                            "region = eu-west-1\n"
                            "ca_bundle = ~/ca.pem\n"
                            "[profile prod]\n"
                            "region = us-west-2\n"
                            "endpoint_url = https://proxy.example.com:8443/\n"
                            "[profile conf-only]\n"
                            "aws_access_key_id = AKIACONFONLY\n"
                            "aws_secret_access_key = secretconfonly\n"
                            "[profile sso]\n"
                            "sso_session = corp\n"
                            "[profile role]\n"
                            "role_arn = arn:aws:iam::123456789012:role/x\n"
                            "source_profile = default\n";

static void files_default(void)
{
	write_file(".aws/credentials", CREDS, 0600);
	write_file(".aws/config", CONFIG, 0600);
}

static void load_ok(const struct aws_config_opts *o, struct aws_config *c)
{
	struct cx_err err;
	enum cx_status st = aws_config_load(o, c, &err);
	ck_assert_msg(st == CX_OK, "%s", err.msg);
}

START_TEST(chain_files_default)
{
	files_default();
	struct aws_config c;
	load_ok(NULL, &c);
	ck_assert_str_eq(c.profile, "default");
	ck_assert_str_eq(c.creds.access_key_id, "AKIADEFAULTCRED");
	ck_assert_str_eq(c.creds.secret_access_key, "secretdefaultcred");
	ck_assert_ptr_null(c.creds.session_token);
	ck_assert_str_eq(c.region, "eu-west-1");
	char *ca = tpath("ca.pem");
	ck_assert_str_eq(c.ca_bundle, ca); /* ~ expanded */
	free(ca);
	ck_assert_ptr_null(c.endpoint_url);
	char *want = xasprintf("profile default in %s/.aws/credentials", tmp);
	ck_assert_str_eq(c.creds.source, want);
	free(want);
	aws_config_free(&c);
}
END_TEST

START_TEST(chain_precedence)
{
	files_default();
	struct aws_config c;
	struct aws_config_opts o = {0};

	/* env keys beat the default profile */
	setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "secretenv", 1);
	setenv("AWS_SESSION_TOKEN", "tokenenv", 1);
	load_ok(&o, &c);
	ck_assert_str_eq(c.creds.access_key_id, "AKIAENV");
	ck_assert_str_eq(c.creds.session_token, "tokenenv");
	ck_assert_str_eq(c.creds.source, "environment (AWS_ACCESS_KEY_ID)");
	aws_config_free(&c);

	/* ... and AWS_PROFILE */
	setenv("AWS_PROFILE", "prod", 1);
	load_ok(&o, &c);
	ck_assert_str_eq(c.creds.access_key_id, "AKIAENV");
	ck_assert_str_eq(c.region, "us-west-2"); /* region still from the profile */
	aws_config_free(&c);

	/* --profile beats env keys (files only) */
	o.profile = "prod";
	load_ok(&o, &c);
	ck_assert_str_eq(c.profile, "prod");
	ck_assert_str_eq(c.creds.access_key_id, "AKIAPRODCRED");
	ck_assert_str_eq(c.creds.session_token, "tokenprodcred");
	/* profile region: config file beats credentials file */
	ck_assert_str_eq(c.region, "us-west-2");
	ck_assert_str_eq(c.endpoint_url, "https://proxy.example.com:8443/");
	ck_assert(!c.endpoint_url_is_option);
	aws_config_free(&c);

	/* AWS_PROFILE without env keys */
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	o.profile = NULL;
	load_ok(&o, &c);
	ck_assert_str_eq(c.profile, "prod");
	ck_assert_str_eq(c.creds.access_key_id, "AKIAPRODCRED");
	aws_config_free(&c);

	/* static keys in the config file */
	setenv("AWS_PROFILE", "conf-only", 1);
	load_ok(&o, &c);
	ck_assert_str_eq(c.creds.access_key_id, "AKIACONFONLY");
	ck_assert(str_ends_with(c.creds.source, "/.aws/config"));
	ck_assert_str_eq(c.region, "us-east-1"); /* final default */
	aws_config_free(&c);

	/* region: --region > AWS_REGION > AWS_DEFAULT_REGION > profile */
	unsetenv("AWS_PROFILE");
	setenv("AWS_DEFAULT_REGION", "sa-east-1", 1);
	load_ok(&o, &c);
	ck_assert_str_eq(c.region, "sa-east-1");
	aws_config_free(&c);
	setenv("AWS_REGION", "ca-central-1", 1);
	load_ok(&o, &c);
	ck_assert_str_eq(c.region, "ca-central-1");
	aws_config_free(&c);
	o.region = "eu-north-1";
	load_ok(&o, &c);
	ck_assert_str_eq(c.region, "eu-north-1");
	aws_config_free(&c);
	o.region = "eu north";
	struct cx_err err;
	ck_assert_int_eq(aws_config_load(&o, &c, &err), CX_E_INPUT);
	o.region = NULL;

	/* CA bundle: --ca-bundle > AWS_CA_BUNDLE > profile */
	setenv("AWS_CA_BUNDLE", "/env/ca.pem", 1);
	load_ok(&o, &c);
	ck_assert_str_eq(c.ca_bundle, "/env/ca.pem");
	aws_config_free(&c);
	o.ca_bundle = "/opt/ca.pem";
	load_ok(&o, &c);
	ck_assert_str_eq(c.ca_bundle, "/opt/ca.pem");
	aws_config_free(&c);

	/* endpoint: --endpoint-url > AWS_ENDPOINT_URL > profile */
	setenv("AWS_PROFILE", "prod", 1);
	setenv("AWS_ENDPOINT_URL", "https://env.example.com", 1);
	load_ok(&o, &c);
	ck_assert_str_eq(c.endpoint_url, "https://env.example.com");
	aws_config_free(&c);
	o.endpoint_url = "https://opt.example.com";
	load_ok(&o, &c);
	ck_assert_str_eq(c.endpoint_url, "https://opt.example.com");
	ck_assert(c.endpoint_url_is_option);
	aws_config_free(&c);
	o.endpoint_url = NULL;
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
	load_ok(&o, &c);
	ck_assert_ptr_null(c.endpoint_url);
	aws_config_free(&c);
}
END_TEST

START_TEST(chain_file_env_paths)
{
	/* AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE replace ~/.aws/... */
	files_default();
	write_file("other-creds",
	           "[default]\naws_access_key_id=AKIAOTHER\n"
	           "aws_secret_access_key=secretother\n",
	           0600);
	write_file("other-config", "[default]\nregion=me-south-1\n", 0600);
	char *p1 = tpath("other-creds"), *p2 = tpath("other-config");
	setenv("AWS_SHARED_CREDENTIALS_FILE", p1, 1);
	setenv("AWS_CONFIG_FILE", p2, 1);
	struct aws_config c;
	load_ok(NULL, &c);
	ck_assert_str_eq(c.creds.access_key_id, "AKIAOTHER");
	ck_assert_str_eq(c.region, "me-south-1");
	aws_config_free(&c);
	free(p1);
	free(p2);
}
END_TEST

START_TEST(chain_nothing_found)
{
	struct aws_config c;
	struct cx_err err;
	/* no files at all */
	ck_assert_int_eq(aws_config_load(NULL, &c, &err), CX_E_CREDENTIALS);
	char *cp = xasprintf("%s/.aws/credentials [default] (file not found)", tmp);
	char *fp = xasprintf("%s/.aws/config [default] (file not found)", tmp);
	ck_assert_msg(strstr(err.msg, "environment variables AWS_ACCESS_KEY_ID/"
	                              "AWS_SECRET_ACCESS_KEY (not set)") != NULL,
	              "%s", err.msg);
	ck_assert_msg(strstr(err.msg, cp) != NULL, "%s", err.msg);
	ck_assert_msg(strstr(err.msg, fp) != NULL, "%s", err.msg);
	free(cp);
	free(fp);

	/* files present, but without credentials; half of the env pair */
	write_file(".aws/credentials", "[other]\naws_access_key_id=A\naws_secret_access_key=B\n",
	           0600);
	write_file(".aws/config", "[default]\nregion = eu-west-1\n", 0600);
	setenv("AWS_ACCESS_KEY_ID", "AKIAHALF", 1);
	ck_assert_int_eq(aws_config_load(NULL, &c, &err), CX_E_CREDENTIALS);
	ck_assert_msg(strstr(err.msg, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is "
	                              "not") != NULL,
	              "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "credentials [default] (no such section)") != NULL, "%s",
	              err.msg);
	ck_assert_msg(strstr(err.msg, "config [default] (no aws_access_key_id or "
	                              "credential_process)") != NULL,
	              "%s", err.msg);
	unsetenv("AWS_ACCESS_KEY_ID");

	/* a named profile that exists nowhere */
	struct aws_config_opts o = {.profile = "ghost"};
	ck_assert_int_eq(aws_config_load(&o, &c, &err), CX_E_CREDENTIALS);
	ck_assert_msg(strstr(err.msg, "profile 'ghost' not found") != NULL, "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "[profile ghost]") != NULL, "%s", err.msg);

	/* unsupported profile kinds say so */
	files_default();
	o.profile = "sso";
	ck_assert_int_eq(aws_config_load(&o, &c, &err), CX_E_CREDENTIALS);
	ck_assert_msg(strstr(err.msg, "sso") && strstr(err.msg, "not support"), "%s", err.msg);
	o.profile = "role";
	ck_assert_int_eq(aws_config_load(&o, &c, &err), CX_E_CREDENTIALS);
	ck_assert_msg(strstr(err.msg, "role_arn") != NULL, "%s", err.msg);

	/* half a key pair in a file */
	write_file(".aws/credentials", "[default]\naws_access_key_id=AKIAONLY\n", 0600);
	ck_assert_int_eq(aws_config_load(NULL, &c, &err), CX_E_CREDENTIALS);
	ck_assert_msg(strstr(err.msg, "only one of") != NULL, "%s", err.msg);

	/* a malformed file names file:line */
	write_file(".aws/config", "[default]\nregion\n", 0600);
	ck_assert_int_eq(aws_config_load(NULL, &c, &err), CX_E_INPUT);
	char *want = xasprintf("%s/.aws/config:2:", tmp);
	ck_assert_msg(str_starts_with(err.msg, want), "%s", err.msg);
	free(want);
}
END_TEST

/* ---------------------------------------------------------------- credential_process */

/* A script that counts its runs and prints credentials expiring in $1 seconds (none when
 * $1 is empty). */
static void write_process_script(void)
{
	char *script = xasprintf(
	    "#!/bin/sh\n"
	    "n=$(cat '%s/count' 2>/dev/null || echo 0); n=$((n + 1)); echo $n > '%s/count'\n"
	    "if [ -n \"$1\" ]; then\n"
	    "  exp=$(date -u -d \"@$(( $(date +%%s) + $1 ))\" +%%Y-%%m-%%dT%%H:%%M:%%SZ)\n"
	    "  printf '{\"Version\": 1, \"AccessKeyId\": \"AKIAPROC%%s\", \"SecretAccessKey\": "
	    "\"procsecret%%s\", \"SessionToken\": \"proctoken\", \"Expiration\": \"%%s\"}\\n' "
	    "$n $n $exp\n"
	    "else\n"
	    "  printf '{\"Version\": 1, \"AccessKeyId\": \"AKIAPROC%%s\", \"SecretAccessKey\": "
	    "\"procsecret%%s\"}' $n $n\n"
	    "fi\n",
	    tmp, tmp);
	write_file("proc.sh", script, 0700);
	free(script);
}

static int run_count(void)
{
	char *p = tpath("count");
	char *t = paths_read_file(p, 100, NULL);
	free(p);
	int n = t ? atoi(t) : 0;
	free(t);
	return n;
}

static void config_with_process(const char *args)
{
	char *cfg = xasprintf("[default]\nregion = eu-west-1\n"
	                      "credential_process = %s/proc.sh %s\n",
	                      tmp, args);
	write_file(".aws/config", cfg, 0600);
	free(cfg);
}

START_TEST(process_no_expiration)
{
	write_process_script();
	config_with_process("");
	struct aws_config c;
	load_ok(NULL, &c);
	ck_assert_str_eq(c.creds.access_key_id, "AKIAPROC1");
	ck_assert_str_eq(c.creds.secret_access_key, "procsecret1");
	ck_assert_ptr_null(c.creds.session_token);
	ck_assert_int_eq(c.creds.expiration, 0);
	ck_assert_str_eq(c.creds.source, "credential_process of profile default");
	ck_assert_ptr_nonnull(c.credential_process);
	struct cx_err err;
	ck_assert_int_eq(aws_config_refresh(&c, &err), CX_OK);
	ck_assert_int_eq(run_count(), 1); /* never expires: not re-run */
	aws_config_free(&c);

	/* static keys in the credentials file beat credential_process */
	write_file(".aws/credentials", CREDS, 0600);
	load_ok(NULL, &c);
	ck_assert_str_eq(c.creds.access_key_id, "AKIADEFAULTCRED");
	ck_assert_int_eq(run_count(), 1);
	aws_config_free(&c);
}
END_TEST

START_TEST(process_expiration_refresh)
{
	write_process_script();
	config_with_process("3600");
	struct aws_config c;
	struct cx_err err;
	load_ok(NULL, &c);
	ck_assert_str_eq(c.creds.access_key_id, "AKIAPROC1");
	ck_assert_str_eq(c.creds.session_token, "proctoken");
	time_t now = time(NULL);
	ck_assert(c.creds.expiration > now + 3500 && c.creds.expiration <= now + 3601);
	ck_assert_int_eq(aws_config_refresh(&c, &err), CX_OK);
	ck_assert_int_eq(run_count(), 1); /* an hour left: kept */
	ck_assert_str_eq(c.creds.access_key_id, "AKIAPROC1");
	aws_config_free(&c);

	/* credentials expiring within 5 minutes are fetched again */
	config_with_process("120");
	load_ok(NULL, &c);
	ck_assert_int_eq(run_count(), 2);
	ck_assert_str_eq(c.creds.access_key_id, "AKIAPROC2");
	ck_assert_int_eq(aws_config_refresh(&c, &err), CX_OK);
	ck_assert_int_eq(run_count(), 3);
	ck_assert_str_eq(c.creds.access_key_id, "AKIAPROC3");
	ck_assert_str_eq(c.creds.secret_access_key, "procsecret3");
	ck_assert(c.creds.expiration > now);
	aws_config_free(&c);

	/* already expired output is refused */
	config_with_process("-60");
	ck_assert_int_eq(aws_config_load(NULL, &c, &err), CX_E_CREDENTIALS);
	ck_assert_msg(strstr(err.msg, "expired") != NULL, "%s", err.msg);
}
END_TEST

START_TEST(process_failures)
{
	struct aws_config c;
	struct cx_err err;
	static const struct {
		const char *script;
		const char *want;
	} cases[] = {
	    {"echo 'no session: run aws sso login' >&2; exit 3",
	     "exited with status 3: no session: run aws sso login"},
	    {"echo not json", "output is not a JSON object"},
	    {"echo '{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": "
	     "\"topsecretvalue\"}'",
	     "needs \"Version\": 1"},
	    {"echo '{\"Version\": 1, \"AccessKeyId\": \"A\"}'", "lacks"},
	    {"echo '{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": "
	     "\"topsecretvalue\", \"Expiration\": \"tomorrow\"}'",
	     "not an ISO 8601 time"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = xasprintf("#!/bin/sh\n%s\n", cases[i].script);
		write_file("bad.sh", s, 0700);
		free(s);
		char *cfg = xasprintf("[default]\ncredential_process = %s/bad.sh\n", tmp);
		write_file(".aws/config", cfg, 0600);
		free(cfg);
		ck_assert_int_eq(aws_config_load(NULL, &c, &err), CX_E_CREDENTIALS);
		ck_assert_msg(strstr(err.msg, cases[i].want) != NULL, "case %zu: %s", i, err.msg);
		ck_assert_msg(strstr(err.msg, "topsecretvalue") == NULL, "secret leaked: %s",
		              err.msg);
	}
	/* run through /bin/sh -c: shell syntax works, and a signal is reported */
	write_file(".aws/config", "[default]\ncredential_process = kill -9 $$\n", 0600);
	ck_assert_int_eq(aws_config_load(NULL, &c, &err), CX_E_CREDENTIALS);
	ck_assert_msg(strstr(err.msg, "killed by signal 9") != NULL, "%s", err.msg);
	/* Expiration with an offset and fractions */
	write_file("ok.sh",
	           "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": "
	           "\"B\", \"Expiration\": \"2999-01-01T02:00:00.123+02:00\"}'\n",
	           0700);
	char *cfg = xasprintf("[default]\ncredential_process = %s/ok.sh\n", tmp);
	write_file(".aws/config", cfg, 0600);
	free(cfg);
	load_ok(NULL, &c);
	ck_assert_int_eq(c.creds.expiration, 32472144000); /* 2999-01-01T00:00:00Z */
	aws_config_free(&c);
}
END_TEST

START_TEST(creds_set_free)
{
	struct aws_creds c;
	memset(&c, 0, sizeof(c));
	aws_creds_set(&c, "AKIANEW", "newsecret", NULL, "new user key");
	ck_assert_str_eq(c.access_key_id, "AKIANEW");
	ck_assert_str_eq(c.secret_access_key, "newsecret");
	ck_assert_ptr_null(c.session_token);
	ck_assert_str_eq(c.source, "new user key");
	aws_creds_free(&c);
	ck_assert_ptr_null(c.access_key_id);
	ck_assert_ptr_null(c.secret_access_key);
}
END_TEST

/* ---------------------------------------------------------------- endpoints */

static void cfg_plain(struct aws_config *c, const char *region)
{
	memset(c, 0, sizeof(*c));
	c->region = xstrdup(region);
}

START_TEST(endpoint_real_hosts)
{
	static const struct {
		enum aws_service s;
		const char *region; /* argument */
		const char *base, *host, *sregion, *sname, *name, *envid;
	} t[] = {
	    {AWS_STS, NULL, "https://sts.eu-west-1.amazonaws.com", "sts.eu-west-1.amazonaws.com",
	     "eu-west-1", "sts", "sts", "STS"},
	    {AWS_STS, "us-east-1", "https://sts.us-east-1.amazonaws.com",
	     "sts.us-east-1.amazonaws.com", "us-east-1", "sts", "sts", "STS"},
	    {AWS_IAM, NULL, "https://iam.amazonaws.com", "iam.amazonaws.com", "us-east-1", "iam",
	     "iam", "IAM"},
	    {AWS_EC2, NULL, "https://ec2.eu-west-1.amazonaws.com", "ec2.eu-west-1.amazonaws.com",
	     "eu-west-1", "ec2", "ec2", "EC2"},
	    {AWS_EC2, "ap-southeast-2", "https://ec2.ap-southeast-2.amazonaws.com",
	     "ec2.ap-southeast-2.amazonaws.com", "ap-southeast-2", "ec2", "ec2", "EC2"},
	    {AWS_ORGANIZATIONS, NULL, "https://organizations.us-east-1.amazonaws.com",
	     "organizations.us-east-1.amazonaws.com", "us-east-1", "organizations", "organizations",
	     "ORGANIZATIONS"},
	    {AWS_CUR, "eu-west-1", "https://cur.us-east-1.amazonaws.com",
	     "cur.us-east-1.amazonaws.com", "us-east-1", "cur", "cur",
	     "COST_AND_USAGE_REPORT_SERVICE"},
	    {AWS_BCM_DATA_EXPORTS, "eu-west-1", "https://bcm-data-exports.us-east-1.api.aws",
	     "bcm-data-exports.us-east-1.api.aws", "us-east-1", "bcm-data-exports",
	     "bcm-data-exports", "BCM_DATA_EXPORTS"},
	    {AWS_S3, NULL, "https://s3.amazonaws.com", "s3.amazonaws.com", "us-east-1", "s3", "s3",
	     "S3"},
	    {AWS_S3, "eu-west-1", "https://s3.eu-west-1.amazonaws.com",
	     "s3.eu-west-1.amazonaws.com", "eu-west-1", "s3", "s3", "S3"},
	};
	struct aws_config c;
	cfg_plain(&c, "eu-west-1");
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct aws_endpoint e;
		struct cx_err err;
		ck_assert_int_eq(endpoint_resolve(&c, t[i].s, t[i].region, NULL, &e, &err), CX_OK);
		ck_assert_str_eq(e.base, t[i].base);
		ck_assert_str_eq(e.host, t[i].host);
		ck_assert_str_eq(e.signing_region, t[i].sregion);
		ck_assert_str_eq(e.signing_name, t[i].sname);
		ck_assert_str_eq(aws_service_name(t[i].s), t[i].name);
		ck_assert_str_eq(aws_service_env_id(t[i].s), t[i].envid);
		ck_assert(!e.overridden);
		ck_assert(!e.path_style);
	}
	struct aws_endpoint e;
	struct cx_err err;
	ck_assert_int_eq(endpoint_resolve(&c, AWS_EC2, "eu-west-1.evil.com/", NULL, &e, &err),
	                 CX_E_INPUT);
	aws_config_free(&c);
}
END_TEST

START_TEST(endpoint_s3_addressing)
{
	struct aws_config c;
	cfg_plain(&c, "eu-west-1");
	struct aws_endpoint e;
	struct cx_err err;
	/* virtual-hosted on AWS */
	ck_assert_int_eq(endpoint_resolve(&c, AWS_S3, "eu-west-1", "my-bucket", &e, &err), CX_OK);
	ck_assert_str_eq(e.base, "https://my-bucket.s3.eu-west-1.amazonaws.com");
	ck_assert_str_eq(e.host, "my-bucket.s3.eu-west-1.amazonaws.com");
	ck_assert_str_eq(e.signing_region, "eu-west-1");
	ck_assert(!e.path_style);
	ck_assert_int_eq(endpoint_resolve(&c, AWS_S3, NULL, "my-bucket", &e, &err), CX_OK);
	ck_assert_str_eq(e.host, "my-bucket.s3.amazonaws.com");
	ck_assert_str_eq(e.signing_region, "us-east-1");
	ck_assert(!e.path_style);
	/* path-style for dotted (and other non-DNS) names */
	const char *pathy[] = {"my.bucket", "My_Bucket", "ab", "-bucket"};
	for (size_t i = 0; i < 4; i++) {
		ck_assert_int_eq(endpoint_resolve(&c, AWS_S3, "ap-south-1", pathy[i], &e, &err),
		                 CX_OK);
		ck_assert_str_eq(e.base, "https://s3.ap-south-1.amazonaws.com");
		ck_assert_str_eq(e.signing_region, "ap-south-1");
		ck_assert(e.path_style);
	}
	/* any override: path-style, signed for the bucket's region */
	setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:5000", 1);
	ck_assert_int_eq(endpoint_resolve(&c, AWS_S3, "eu-west-1", "my-bucket", &e, &err), CX_OK);
	ck_assert_str_eq(e.base, "http://127.0.0.1:5000");
	ck_assert_str_eq(e.host, "127.0.0.1:5000");
	ck_assert_str_eq(e.signing_region, "eu-west-1");
	ck_assert(e.path_style);
	ck_assert(e.overridden);
	unsetenv("AWS_ENDPOINT_URL_S3");
	aws_config_free(&c);
}
END_TEST

START_TEST(endpoint_overrides)
{
	files_default();
	struct aws_config c;
	struct aws_endpoint e;
	struct cx_err err;
	setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "secretenv", 1);

	/* AWS_ENDPOINT_URL_<SERVICE> for every service */
	for (int s = 0; s < AWS_SERVICE_COUNT; s++) {
		char name[96], url[96];
		snprintf(name, sizeof(name), "AWS_ENDPOINT_URL_%s", aws_service_env_id(s));
		snprintf(url, sizeof(url), "https://%s.sim.test:9%03d/", aws_service_name(s), s);
		setenv(name, url, 1);
	}
	load_ok(NULL, &c);
	for (int s = 0; s < AWS_SERVICE_COUNT; s++) {
		char want[96];
		snprintf(want, sizeof(want), "https://%s.sim.test:9%03d", aws_service_name(s), s);
		ck_assert_int_eq(endpoint_resolve(&c, s, NULL, "bucket", &e, &err), CX_OK);
		ck_assert_str_eq(e.base, want);
		ck_assert_str_eq(e.host, want + 8);
		ck_assert(e.overridden);
		ck_assert_int_eq(e.path_style, s == AWS_S3);
		ck_assert_str_eq(e.signing_name, aws_service_name(s));
	}
	/* signing regions stay those of AWS */
	ck_assert_int_eq(endpoint_resolve(&c, AWS_IAM, NULL, NULL, &e, &err), CX_OK);
	ck_assert_str_eq(e.signing_region, "us-east-1");
	ck_assert_int_eq(endpoint_resolve(&c, AWS_STS, NULL, NULL, &e, &err), CX_OK);
	ck_assert_str_eq(e.signing_region, "eu-west-1");
	aws_config_free(&c);

	/* the service variable beats AWS_ENDPOINT_URL; --endpoint-url beats both */
	setenv("AWS_ENDPOINT_URL", "https://global.sim.test", 1);
	unsetenv("AWS_ENDPOINT_URL_STS");
	load_ok(NULL, &c);
	ck_assert_int_eq(endpoint_resolve(&c, AWS_STS, NULL, NULL, &e, &err), CX_OK);
	ck_assert_str_eq(e.base, "https://global.sim.test");
	ck_assert_int_eq(endpoint_resolve(&c, AWS_IAM, NULL, NULL, &e, &err), CX_OK);
	ck_assert_str_eq(e.base, "https://iam.sim.test:9001");
	aws_config_free(&c);
	struct aws_config_opts o = {.endpoint_url = "https://opt.sim.test:443/"};
	load_ok(&o, &c);
	for (int s = 0; s < AWS_SERVICE_COUNT; s++) {
		ck_assert_int_eq(endpoint_resolve(&c, s, NULL, NULL, &e, &err), CX_OK);
		ck_assert_str_eq(e.base, "https://opt.sim.test");
		ck_assert_str_eq(e.host, "opt.sim.test"); /* default port left out */
	}
	aws_config_free(&c);

	/* AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: real hosts again */
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
	load_ok(NULL, &c);
	ck_assert_int_eq(endpoint_resolve(&c, AWS_IAM, NULL, NULL, &e, &err), CX_OK);
	ck_assert_str_eq(e.base, "https://iam.amazonaws.com");
	aws_config_free(&c);
	unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");

	/* profile endpoint_url is the last resort */
	for (int s = 0; s < AWS_SERVICE_COUNT; s++) {
		char name[96];
		snprintf(name, sizeof(name), "AWS_ENDPOINT_URL_%s", aws_service_env_id(s));
		unsetenv(name);
	}
	unsetenv("AWS_ENDPOINT_URL");
	o.endpoint_url = NULL;
	o.profile = "prod";
	load_ok(&o, &c);
	ck_assert_int_eq(endpoint_resolve(&c, AWS_CUR, NULL, NULL, &e, &err), CX_OK);
	ck_assert_str_eq(e.base, "https://proxy.example.com:8443");
	ck_assert_str_eq(e.host, "proxy.example.com:8443");
	ck_assert_str_eq(e.signing_region, "us-east-1");
	aws_config_free(&c);
}
END_TEST

START_TEST(endpoint_http_loopback_only)
{
	struct aws_config c;
	cfg_plain(&c, "us-east-1");
	struct aws_endpoint e;
	struct cx_err err;
	static const struct {
		const char *url;
		enum cx_status want;
		const char *host;
	} t[] = {
	    {"http://127.0.0.1:5000", CX_OK, "127.0.0.1:5000"},
	    {"http://127.1.2.3", CX_OK, "127.1.2.3"},
	    {"http://localhost:8080/", CX_OK, "localhost:8080"},
	    {"http://LOCALHOST", CX_OK, "localhost"},
	    {"http://[::1]:4566", CX_OK, "[::1]:4566"},
	    {"https://[::1]:443", CX_OK, "[::1]"},
	    {"http://10.0.0.1:5000", CX_E_INPUT, NULL},
	    {"http://example.com", CX_E_INPUT, NULL},
	    {"http://127.0.0.1.evil.com", CX_E_INPUT, NULL},
	    {"http://localhost.evil.com", CX_E_INPUT, NULL},
	    {"ftp://127.0.0.1", CX_E_INPUT, NULL},
	    {"https://", CX_E_INPUT, NULL},
	    {"https://user@host", CX_E_INPUT, NULL},
	    {"https://host?x=1", CX_E_INPUT, NULL},
	    {"https://host:99999", CX_E_INPUT, NULL},
	    {"https://ho st", CX_E_INPUT, NULL},
	    {"https://example.com:8443/prefix/", CX_OK, "example.com:8443"},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		free(c.endpoint_url);
		c.endpoint_url = xstrdup(t[i].url);
		cx_err_clear(&err);
		enum cx_status st = endpoint_resolve(&c, AWS_STS, NULL, NULL, &e, &err);
		ck_assert_msg(st == t[i].want, "%s: %s", t[i].url, err.msg);
		if (st == CX_OK)
			ck_assert_str_eq(e.host, t[i].host);
		else
			ck_assert_ptr_nonnull(strstr(err.msg, "endpoint URL"));
	}
	ck_assert_int_eq(endpoint_resolve(&c, AWS_STS, NULL, NULL, &e, &err), CX_OK);
	ck_assert_str_eq(e.base, "https://example.com:8443/prefix");
	aws_config_free(&c);

	ck_assert(endpoint_is_loopback("http://127.0.0.1:1"));
	ck_assert(endpoint_is_loopback("https://localhost"));
	ck_assert(endpoint_is_loopback("http://[::1]/"));
	ck_assert(endpoint_is_loopback("http://[::ffff:127.0.0.1]/"));
	ck_assert(!endpoint_is_loopback("http://128.0.0.1"));
	ck_assert(!endpoint_is_loopback("http://[::2]"));
	ck_assert(!endpoint_is_loopback("http://127.0.0.1.nip.io"));
	ck_assert(!endpoint_is_loopback("localhost"));
	ck_assert(!endpoint_is_loopback(NULL));
}
END_TEST

int main(void)
{
	if (secmem_init() < 0)
		return 99;
	Suite *s = suite_create("aws-config");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ini_formats);
	tcase_add_test(tc, ini_errors);
	tcase_add_test(tc, chain_files_default);
	tcase_add_test(tc, chain_precedence);
	tcase_add_test(tc, chain_file_env_paths);
	tcase_add_test(tc, chain_nothing_found);
	tcase_add_test(tc, process_no_expiration);
	tcase_add_test(tc, process_expiration_refresh);
	tcase_add_test(tc, process_failures);
	tcase_add_test(tc, creds_set_free);
	tcase_add_test(tc, endpoint_real_hosts);
	tcase_add_test(tc, endpoint_s3_addressing);
	tcase_add_test(tc, endpoint_overrides);
	tcase_add_test(tc, endpoint_http_loopback_only);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
