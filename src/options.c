#include "options.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <curses.h>
#include <libxml/xmlversion.h>
#include <openssl/crypto.h>
#include <sodium.h>

#include "util/paths.h"
#include "util/status.h"
#include "util/str.h"

enum {
	OPT_ANSWERS = 256,
	OPT_BATCH,
	OPT_DRY_RUN,
	OPT_FORMAT,
	OPT_LIST,
	OPT_PROFILE,
	OPT_REGION,
	OPT_ENDPOINT_URL,
	OPT_CA_BUNDLE,
	OPT_CERTEROX_URL,
	OPT_CERTEROX_TOKEN_FILE,
	OPT_CERTEROX_ORG,
	OPT_VAULT,
	OPT_PASSPHRASE_FILE,
	OPT_VAULT_KDF,
	OPT_ALLOW_WEAK_PASSPHRASE,
	OPT_LOG,
	OPT_NO_COLOR,
	OPT_ASCII,
	OPT_YES,
	OPT_HELP,
	OPT_VERSION,
	OPT_STATUS,
	OPT_DATA_SOURCE,
};

static const struct option long_opts[] = {
    {"answers", required_argument, NULL, OPT_ANSWERS},
    {"batch", no_argument, NULL, OPT_BATCH},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"list", no_argument, NULL, OPT_LIST},
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"region", required_argument, NULL, OPT_REGION},
    {"endpoint-url", required_argument, NULL, OPT_ENDPOINT_URL},
    {"ca-bundle", required_argument, NULL, OPT_CA_BUNDLE},
    {"certerox-url", required_argument, NULL, OPT_CERTEROX_URL},
    {"certerox-token-file", required_argument, NULL, OPT_CERTEROX_TOKEN_FILE},
    {"certerox-org", required_argument, NULL, OPT_CERTEROX_ORG},
    {"vault", required_argument, NULL, OPT_VAULT},
    {"passphrase-file", required_argument, NULL, OPT_PASSPHRASE_FILE},
    {"vault-kdf", required_argument, NULL, OPT_VAULT_KDF},
    {"allow-weak-passphrase", no_argument, NULL, OPT_ALLOW_WEAK_PASSPHRASE},
    {"log", required_argument, NULL, OPT_LOG},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {"ascii", no_argument, NULL, OPT_ASCII},
    {"yes", no_argument, NULL, OPT_YES},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {"status", no_argument, NULL, OPT_STATUS},
    {"data-source", required_argument, NULL, OPT_DATA_SOURCE},
    {NULL, 0, NULL, 0},
};

void options_help(const char *argv0)
{
	(void)argv0;
	fputs("Usage: certerox-aws-setup [OPTION]...\n"
	      "Onboard an AWS account into CerteroX Cloud Management as a billing data source:\n"
	      "data export, S3 bucket policy, IAM policies, user and access key, then the data\n"
	      "source itself. Every document is shown for review before it is applied.\n"
	      "\n"
	      "Mode:\n"
	      "      --answers FILE        preload answers from a JSON file (see the man page)\n"
	      "      --batch               run without questions (needs --answers)\n"
	      "      --dry-run             print the plan after read-only discovery (action\n"
	      "                            organization: the plan per member account)\n"
	      "      --format FMT          json|awscli (--dry-run), json|table (--list),\n"
	      "                            text|json (--status); json: the summary of\n"
	      "                            --batch and the wizard as JSON on a terminal\n"
	      "      --list                list the keys saved in the vault: data source,\n"
	      "                            account, state (live, pending, retired)\n"
	      "      --status              check the health of the organization's AWS data\n"
	      "                            sources (read-only; exit 3 when a problem is found)\n"
	      "      --data-source ID      --status: check only this data source\n"
	      "      --yes                 consent to destructive choices in --batch mode\n"
	      "                            (answers \"action\": connect, migrate, rotate,\n"
	      "                            disconnect: see the man page)\n"
	      "\n"
	      "AWS:\n"
	      "      --profile NAME        named profile from the AWS config/credentials files\n"
	      "      --region REGION       default region for regional calls\n"
	      "      --endpoint-url URL    send every AWS call to URL\n"
	      "      --ca-bundle FILE      trust the CA certificates in FILE for TLS\n"
	      "\n"
	      "CerteroX:\n"
	      "      --certerox-url URL    CerteroX base URL (https://...)\n"
	      "      --certerox-token-file FILE  read the CerteroX API token from FILE\n"
	      "      --certerox-org ID     CerteroX organization id\n"
	      "\n"
	      "Vault:\n"
	      "      --vault FILE          encrypted credentials vault (default\n"
	      "                            $XDG_DATA_HOME/certerox-aws-setup/\n"
	      "                            credentials.vault)\n"
	      "      --passphrase-file FILE  read the vault passphrase from FILE\n"
	      "      --vault-kdf LEVEL     Argon2id cost of a new vault: interactive,\n"
	      "                            moderate (default) or sensitive\n"
	      "      --allow-weak-passphrase  create a new vault (--batch) even with a\n"
	      "                            passphrase the estimator finds easy to guess\n"
	      "\n"
	      "Display:\n"
	      "      --log FILE            write a diagnostic log (secrets redacted) to FILE\n"
	      "      --no-color            no colours (also when NO_COLOR is set)\n"
	      "      --ascii               draw with ASCII characters only\n"
	      "      --help                show this help and exit\n"
	      "      --version             show the version and library versions and exit\n"
	      "\n"
	      "Environment: CERTEROX_URL, CERTEROX_TOKEN, CERTEROX_ORGANIZATION_ID,\n"
	      "AWS_PROFILE, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,\n"
	      "AWS_REGION, "
	      "AWS_DEFAULT_REGION, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE,\n"
	      "AWS_CA_BUNDLE, "
	      "AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>, NO_COLOR.\n"
	      "\n"
	      "Exit status: 0 done, 3 a problem found by --status, 64 usage, 65 invalid\n"
	      "answers or input, 69 service unreachable, 70 internal error,\n"
	      "74 input/output error (a file could not be read or written), 75 partly\n"
	      "done (run again to continue), 77 access denied or credentials rejected,\n"
	      "130 cancelled.\n"
	      "\n"
	      "Full documentation: man certerox-aws-setup\n",
	      stdout);
}

void options_version(void)
{
	printf("certerox-aws-setup %s\n", CX_VERSION);
	char *data = paths_datadir();
	printf("data directory %s\n", data);
	free(data);
	printf("libcurl %s\n", curl_version_info(CURLVERSION_NOW)->version);
	printf("%s\n", OpenSSL_version(OPENSSL_VERSION));
	printf("cJSON %s\n", cJSON_Version());
	printf("libsodium %s\n", sodium_version_string());
	printf("libxml2 %s\n", LIBXML_DOTTED_VERSION);
	printf("%s\n", curses_version());
}

static void remember(struct cx_options *o, const char *name)
{
	if (o->ngiven < (int)(sizeof(o->given) / sizeof(o->given[0])))
		o->given[o->ngiven++] = name;
}

static int usage_error(const char *fmt, const char *arg)
{
	fputs("certerox-aws-setup: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'certerox-aws-setup --help' for more information.\n", stderr);
	return CX_EXIT_USAGE;
}

int options_parse(struct cx_options *o, int argc, char **argv)
{
	memset(o, 0, sizeof(*o));
	int c, idx;
	bool help = false, version = false;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", long_opts, &idx)) != -1) {
		if (c == '?') {
			return usage_error("unrecognized option '%s'", argv[optind - 1]);
		}
		if (c == ':')
			return usage_error("option '%s' requires an argument", argv[optind - 1]);
		const char *name = NULL;
		for (const struct option *lo = long_opts; lo->name; lo++)
			if (lo->val == c)
				name = lo->name;
		if (c != OPT_HELP && c != OPT_VERSION)
			remember(o, name);
		switch (c) {
		case OPT_ANSWERS:
			o->answers_file = optarg;
			break;
		case OPT_BATCH:
			o->batch = true;
			break;
		case OPT_DRY_RUN:
			o->dry_run = true;
			break;
		case OPT_FORMAT:
			if (str_eq(optarg, "json"))
				o->format = FORMAT_JSON;
			else if (str_eq(optarg, "awscli"))
				o->format = FORMAT_AWSCLI;
			else if (str_eq(optarg, "table"))
				o->format = FORMAT_TABLE;
			else if (str_eq(optarg, "text"))
				o->format = FORMAT_TEXT;
			else
				return usage_error(
				    "--format must be json, awscli, table or text, not '%s'",
				    optarg);
			break;
		case OPT_LIST:
			o->list = true;
			break;
		case OPT_PROFILE:
			o->profile = optarg;
			break;
		case OPT_REGION:
			o->region = optarg;
			break;
		case OPT_ENDPOINT_URL:
			o->endpoint_url = optarg;
			break;
		case OPT_CA_BUNDLE:
			o->ca_bundle = optarg;
			break;
		case OPT_CERTEROX_URL:
			o->certerox_url = optarg;
			break;
		case OPT_CERTEROX_TOKEN_FILE:
			o->certerox_token_file = optarg;
			break;
		case OPT_CERTEROX_ORG:
			o->certerox_org = optarg;
			break;
		case OPT_VAULT:
			o->vault_file = optarg;
			break;
		case OPT_PASSPHRASE_FILE:
			o->passphrase_file = optarg;
			break;
		case OPT_VAULT_KDF:
			if (!str_eq(optarg, "interactive") && !str_eq(optarg, "moderate") &&
			    !str_eq(optarg, "sensitive"))
				return usage_error("--vault-kdf must be interactive, moderate or "
				                   "sensitive, not '%s'",
				                   optarg);
			o->vault_kdf = optarg;
			break;
		case OPT_LOG:
			o->log_file = optarg;
			break;
		case OPT_NO_COLOR:
			o->no_color = true;
			break;
		case OPT_ASCII:
			o->ascii = true;
			break;
		case OPT_YES:
			o->yes = true;
			break;
		case OPT_ALLOW_WEAK_PASSPHRASE:
			o->allow_weak_passphrase = true;
			break;
		case OPT_STATUS:
			o->status = true;
			break;
		case OPT_DATA_SOURCE:
			o->data_source = optarg;
			break;
		case OPT_HELP:
			help = true;
			break;
		case OPT_VERSION:
			version = true;
			break;
		default:
			return usage_error("unexpected option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!o->certerox_url)
		o->certerox_url = getenv("CERTEROX_URL");
	if (!o->certerox_org)
		o->certerox_org = getenv("CERTEROX_ORGANIZATION_ID");
	const char *nc = getenv("NO_COLOR");
	if (nc && *nc)
		o->no_color = true;

	if (help) {
		o->mode = MODE_HELP;
		return 0;
	}
	if (version) {
		o->mode = MODE_VERSION;
		return 0;
	}
	int modes = (o->batch && !o->dry_run) + o->dry_run + o->list + o->status;
	if (modes > 1 || ((o->list || o->status) && o->batch))
		return usage_error("%s",
		                   "--batch, --dry-run, --list and --status exclude each other");
	if (o->dry_run)
		o->mode = MODE_DRY_RUN;
	else if (o->batch)
		o->mode = MODE_BATCH;
	else if (o->list)
		o->mode = MODE_LIST;
	else if (o->status)
		o->mode = MODE_STATUS;
	else
		o->mode = MODE_TUI;
	if ((o->mode == MODE_BATCH || o->mode == MODE_DRY_RUN) && !o->answers_file)
		return usage_error("%s", o->mode == MODE_BATCH ? "--batch needs --answers FILE"
		                                               : "--dry-run needs --answers FILE");
	if (o->format == FORMAT_AWSCLI && o->mode != MODE_DRY_RUN)
		return usage_error("%s", "--format awscli goes with --dry-run");
	if (o->format == FORMAT_TABLE && o->mode != MODE_LIST)
		return usage_error("%s", "--format table goes with --list");
	if (o->format == FORMAT_TEXT && o->mode != MODE_STATUS)
		return usage_error("%s", "--format text goes with --status");
	if (o->data_source && o->mode != MODE_STATUS)
		return usage_error("%s", "--data-source goes with --status");
	return 0;
}
