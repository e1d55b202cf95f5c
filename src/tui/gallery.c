/* gallery.c - demo pages exercising every widget (used by tests/tui/test_widgets.sh). */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/modal.h"
#include "tui/app.h"
#include "tui/gallery.h"
#include "tui/widgets/theme.h"
#include "tui/widgets/widgets.h"
#include "util/mem.h"
#include "util/str.h"

#define BODY_X(b) ((b).x + 1)

static void free_state(struct tui_page *pg)
{
	free(pg->state);
}

/* ---- page 1: text, masked and switch fields ---- */
struct form {
	struct tui_text name, prefix;
	struct tui_masked pass;
	struct tui_switch split, ids;
	int focus;
};
enum { F_NAME, F_PREFIX, F_PASS, F_SPLIT, F_IDS, F_COUNT };

static bool valid_name(const char *v, char *msg, size_t n, void *ctx)
{
	(void)ctx;
	if (!*v) {
		str_copy(msg, n, "export name: required");
		return false;
	}
	for (const char *p = v; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_')) {
			str_copy(msg, n, "export name: only letters, digits, '-' and '_'");
			return false;
		}
	}
	return true;
}

static bool valid_prefix(const char *v, char *msg, size_t n, void *ctx)
{
	(void)ctx;
	size_t len = strlen(v);
	if (len && (v[0] == '/' || v[len - 1] == '/')) {
		str_copy(msg, n, "prefix: must not start or end with '/'");
		return false;
	}
	return true;
}

static void form_init(struct tui_page *pg)
{
	struct form *f = xcalloc(1, sizeof(*f));
	tui_text_init(&f->name, "Export name", 128, "certerox-cur2");
	tui_text_set_validator(&f->name, valid_name, NULL);
	tui_text_init(&f->prefix, "S3 prefix", 256, "cur2");
	tui_text_set_validator(&f->prefix, valid_prefix, NULL);
	f->prefix.hint = "optional; no leading or trailing '/'";
	tui_masked_init(&f->pass, "Vault passphrase", 256);
	f->split.label = "Split cost allocation data";
	f->ids.label = "Include resource IDs";
	f->ids.on = true;
	pg->state = f;
}

static void form_draw(struct tui_page *pg, WINDOW *w, struct tui_rect b)
{
	struct form *f = pg->state;
	int x = BODY_X(b), wd = b.w - 2;
	tui_put(w, b.y + 1, x, wd,
	        "Text, masked and switch fields. Tab or the arrows move between fields.", A_NORMAL);
	tui_text_draw(&f->name, w, b.y + 3, x, wd, f->focus == F_NAME);
	tui_text_draw(&f->prefix, w, b.y + 5, x, wd, f->focus == F_PREFIX);
	tui_masked_draw(&f->pass, w, b.y + 7, x, wd, f->focus == F_PASS);
	tui_switch_draw(&f->split, w, b.y + 9, x, wd, f->focus == F_SPLIT);
	tui_switch_draw(&f->ids, w, b.y + 10, x, wd, f->focus == F_IDS);
	char info[64];
	snprintf(info, sizeof(info), "Passphrase: %zu characters typed",
	         tui_line_chars(tui_masked_value(&f->pass), tui_masked_len(&f->pass)));
	tui_put(w, b.y + 12, x, wd, info, theme_attr(ROLE_DIM));
	tui_strength_draw(w, b.y + 14, x, wd, tui_masked_value(&f->pass));
}

static int form_action(struct tui_page *pg, const struct tui_event *ev)
{
	struct form *f = pg->state;
	int r = 0;
	switch (f->focus) {
	case F_NAME:
		r = tui_text_action(&f->name, ev);
		break;
	case F_PREFIX:
		r = tui_text_action(&f->prefix, ev);
		break;
	case F_PASS:
		r = tui_masked_action(&f->pass, ev);
		break;
	case F_SPLIT:
		r = tui_switch_action(&f->split, ev);
		break;
	case F_IDS:
		r = tui_switch_action(&f->ids, ev);
		break;
	}
	if (r)
		return r;
	switch (ev->act) {
	case ACT_NEXT:
	case ACT_DOWN:
		f->focus = (f->focus + 1) % F_COUNT;
		return TUI_HANDLED;
	case ACT_PREV:
	case ACT_UP:
		f->focus = (f->focus + F_COUNT - 1) % F_COUNT;
		return TUI_HANDLED;
	case ACT_ENTER:
		if (!tui_text_check(&f->name)) {
			f->focus = F_NAME;
			tui_app_status_field(pg->app, f->name.error);
			return TUI_HANDLED;
		}
		if (!tui_text_check(&f->prefix)) {
			f->focus = F_PREFIX;
			tui_app_status_field(pg->app, f->prefix.error);
			return TUI_HANDLED;
		}
		return TUI_NEXT;
	default:
		return 0;
	}
}

static void form_destroy(struct tui_page *pg)
{
	struct form *f = pg->state;
	tui_text_free(&f->name);
	tui_text_free(&f->prefix);
	tui_masked_free(&f->pass);
	free(f);
}

static const struct page_ops form_ops = {
    .title = "Form fields",
    .keys = "Tab move  Space toggle  Enter continue  Esc back",
    .help = "Text fields accept typing, Left/Right, Home/End, Backspace, Delete and Ctrl-U.\n"
            "The export name is checked as you type; the message under the field names the "
            "rule.\nThe passphrase is masked: one '*' per character, kept in secure memory.\n"
            "Space toggles a switch.",
    .init = form_init,
    .draw = form_draw,
    .on_action = form_action,
    .destroy = form_destroy,
};

/* ---- page 2: radio lists ---- */
static const struct tui_radio_item export_items[] = {
    {"Standard data export (CUR 2.0)", "Recommended. Parquet files, one table per export."},
    {"Legacy CUR export", "Older format; only for accounts that already deliver it."},
};
static const struct tui_radio_item gran_items[] = {
    {"Hourly", NULL},
    {"Daily", NULL},
    {"Monthly", NULL},
};
struct radios {
	struct tui_radio type, gran;
	int focus;
};

static void radios_init(struct tui_page *pg)
{
	struct radios *r = xcalloc(1, sizeof(*r));
	tui_radio_init(&r->type, export_items, 2, 0);
	tui_radio_init(&r->gran, gran_items, 3, 0);
	pg->state = r;
}

static void radios_draw(struct tui_page *pg, WINDOW *w, struct tui_rect b)
{
	struct radios *r = pg->state;
	int x = BODY_X(b), wd = b.w - 2;
	tui_put(w, b.y + 1, x, wd, "Export type", theme_attr(ROLE_LABEL));
	int y = b.y + 2;
	y += tui_radio_draw(&r->type, w, y, x, wd, r->focus == 0);
	tui_put(w, y + 1, x, wd, "Granularity", theme_attr(ROLE_LABEL));
	tui_radio_draw(&r->gran, w, y + 2, x, wd, r->focus == 1);
	char sel[128];
	snprintf(sel, sizeof(sel), "Chosen: %s, %s", export_items[r->type.selected].label,
	         gran_items[r->gran.selected].label);
	tui_put(w, y + 6, x, wd, sel, theme_attr(ROLE_DIM));
}

static int radios_action(struct tui_page *pg, const struct tui_event *ev)
{
	struct radios *r = pg->state;
	int f = tui_radio_action(r->focus ? &r->gran : &r->type, ev);
	if (f)
		return f;
	switch (ev->act) {
	case ACT_NEXT:
	case ACT_PREV:
	case ACT_UP:
	case ACT_DOWN:
		r->focus = !r->focus;
		return TUI_HANDLED;
	case ACT_ENTER:
		return TUI_NEXT;
	default:
		return 0;
	}
}

static const struct page_ops radios_ops = {
    .title = "Radio lists",
    .keys = "Up/Down choose  Tab next list  Enter continue  Esc back",
    .help = "Up and Down choose within a list: the (*) mark follows the cursor; Enter "
            "continues with what is marked.",
    .init = radios_init,
    .draw = radios_draw,
    .on_action = radios_action,
    .destroy = free_state,
};

/* ---- pages 3 and 4: JSON and diff viewers ---- */
static const char sample_json[] =
    "{\n"
    "  \"Version\": \"2012-10-17\",\n"
    "  \"Statement\": [\n"
    "    {\n"
    "      \"Sid\": \"CerteroXReadOnly\",\n"
    "      \"Effect\": \"Allow\",\n"
    "      \"Action\": [\n"
    "        \"ce:GetCostAndUsage\",\n"
    "        \"cur:DescribeReportDefinitions\",\n"
    "        \"bcm-data-exports:ListExports\",\n"
    "        \"bcm-data-exports:GetExport\",\n"
    "        \"organizations:DescribeOrganization\",\n"
    "        \"organizations:ListAccounts\"\n"
    "      ],\n"
    "      \"Resource\": \"*\"\n"
    "    },\n"
    "    {\n"
    "      \"Sid\": \"CerteroXBucketRead\",\n"
    "      \"Effect\": \"Allow\",\n"
    "      \"Action\": [\"s3:GetObject\", \"s3:ListBucket\", \"s3:GetBucketLocation\", "
    "\"s3:GetBucketPolicy\"],\n"
    "      \"Resource\": [\n"
    "        \"arn:aws:s3:::example-cur-bucket\",\n"
    "        \"arn:aws:s3:::example-cur-bucket/*\"\n"
    "      ],\n"
    "      \"Condition\": {\n"
    "        \"Bool\": {\n"
    "          \"aws:SecureTransport\": true\n"
    "        },\n"
    "        \"NumericLessThanEquals\": {\n"
    "          \"s3:TlsVersion\": 1.2\n"
    "        }\n"
    "      }\n"
    "    },\n"
    "    {\n"
    "      \"Sid\": \"Discover\",\n"
    "      \"Effect\": \"Allow\",\n"
    "      \"Action\": \"ec2:Describe*\",\n"
    "      \"Resource\": \"*\",\n"
    "      \"Condition\": null\n"
    "    }\n"
    "  ]\n"
    "}\n";

static const char sample_diff[] =
    "--- current bucket policy\n"
    "+++ merged bucket policy\n"
    "@@ -1,12 +1,27 @@\n"
    " {\n"
    "   \"Version\": \"2012-10-17\",\n"
    "   \"Statement\": [\n"
    "     {\n"
    "       \"Sid\": \"ExistingAccess\",\n"
    "       \"Effect\": \"Allow\",\n"
    "       \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"},\n"
    "       \"Action\": \"s3:GetObject\",\n"
    "-      \"Resource\": \"arn:aws:s3:::example-cur-bucket/old/*\"\n"
    "+      \"Resource\": \"arn:aws:s3:::example-cur-bucket/*\"\n"
    "+    },\n"
    "+    {\n"
    "+      \"Sid\": \"EnableAWSDataExportsToWriteToS3AndCheckPolicy\",\n"
    "+      \"Effect\": \"Allow\",\n"
    "+      \"Principal\": {\"Service\": [\"billingreports.amazonaws.com\", "
    "\"bcm-data-exports.amazonaws.com\"]},\n"
    "+      \"Action\": [\"s3:PutObject\", \"s3:GetBucketPolicy\"],\n"
    "+      \"Resource\": [\n"
    "+        \"arn:aws:s3:::example-cur-bucket\",\n"
    "+        \"arn:aws:s3:::example-cur-bucket/*\"\n"
    "+      ]\n"
    "     }\n"
    "   ]\n"
    " }\n";

static void json_init(struct tui_page *pg)
{
	struct tui_view *v = xcalloc(1, sizeof(*v));
	tui_json_init(v, sample_json);
	pg->state = v;
}

static void diff_init(struct tui_page *pg)
{
	struct tui_view *v = xcalloc(1, sizeof(*v));
	tui_diff_init(v, sample_diff);
	pg->state = v;
}

static void view_draw(struct tui_page *pg, WINDOW *w, struct tui_rect b)
{
	struct tui_view *v = pg->state;
	tui_view_draw_boxed(v, w, b, pg->ops->title, true);
}

static int view_action(struct tui_page *pg, const struct tui_event *ev)
{
	int f = tui_view_action(pg->state, pg->app, ev);
	if (f)
		return f;
	return ev->act == ACT_ENTER ? TUI_NEXT : 0;
}

static void view_destroy(struct tui_page *pg)
{
	tui_view_free(pg->state);
	free(pg->state);
}

#define VIEW_KEYS "Up/Down PgUp/PgDn Home/End scroll  / search  n next  Enter continue"

static const struct page_ops json_ops = {
    .title = "JSON viewer",
    .keys = VIEW_KEYS,
    .help = "Scroll with Up/Down, PgUp/PgDn, Home/End. / asks for a search term (case does not "
            "matter); n goes to the next match. Long lines are wrapped.",
    .init = json_init,
    .draw = view_draw,
    .on_action = view_action,
    .destroy = view_destroy,
};

static const struct page_ops diff_ops = {
    .title = "Diff viewer",
    .keys = VIEW_KEYS,
    .help = "Lines starting with + are added, lines starting with - are removed, @@ starts a "
            "hunk.",
    .init = diff_init,
    .draw = view_draw,
    .on_action = view_action,
    .destroy = view_destroy,
};

/* ---- page 5: progress and log panes ---- */
struct run {
	struct tui_progress prog;
	struct tui_log log;
	bool focus_log;
};

static void run_init(struct tui_page *pg)
{
	struct run *r = xcalloc(1, sizeof(*r));
	tui_progress_init(&r->prog);
	tui_log_init(&r->log, 200);
	int i = tui_progress_add(&r->prog, "Create S3 bucket example-cur-bucket");
	tui_progress_start(&r->prog, i);
	tui_progress_done(&r->prog, i, 412);
	i = tui_progress_add(&r->prog, "Create IAM user certerox-reader");
	tui_progress_skip(&r->prog, i, "already exists");
	i = tui_progress_add(&r->prog, "Put bucket policy");
	tui_progress_start(&r->prog, i);
	tui_progress_retry(&r->prog, i, "throttled");
	i = tui_progress_add(&r->prog, "Create data export certerox-cur2");
	tui_progress_start(&r->prog, i);
	i = tui_progress_add(&r->prog, "Attach policy CerteroXReadOnly");
	tui_progress_fail(&r->prog, i, "AccessDenied", "iam:AttachUserPolicy was denied",
	                  "grant iam:AttachUserPolicy to the wizard's identity and run again");
	tui_progress_add(&r->prog, "Create access key");
	tui_log_add(&r->log, "s3 CreateBucket example-cur-bucket: 200");
	tui_log_add(&r->log, "iam GetUser certerox-reader: exists, skipped");
	tui_log_add(&r->log, "s3 PutBucketPolicy: 503 SlowDown, retrying");
	tui_log_add(&r->log, "bcm-data-exports CreateExport: waiting");
	pg->state = r;
}

static void run_enter(struct tui_page *pg, int how)
{
	(void)how;
	tui_app_set_busy(pg->app, true);
}

static void run_leave(struct tui_page *pg, int how)
{
	(void)how;
	tui_app_set_busy(pg->app, false);
}

static void run_draw(struct tui_page *pg, WINDOW *w, struct tui_rect b)
{
	struct run *r = pg->state;
	int ph = b.h * 3 / 5;
	tui_box(w, b.y, b.x, ph, b.w, "Steps", theme_attr(r->focus_log ? ROLE_DIM : ROLE_LABEL));
	struct tui_rect pr = {b.y + 1, b.x + 2, ph - 2, b.w - 4};
	tui_progress_draw(&r->prog, w, pr, tui_app_tick(pg->app));
	tui_box(w, b.y + ph, b.x, b.h - ph, b.w, "Log",
	        theme_attr(r->focus_log ? ROLE_LABEL : ROLE_DIM));
	struct tui_rect lr = {b.y + ph + 1, b.x + 2, b.h - ph - 2, b.w - 4};
	tui_log_draw(&r->log, w, lr);
}

static int run_action(struct tui_page *pg, const struct tui_event *ev)
{
	struct run *r = pg->state;
	if (ev->act == ACT_TICK)
		return TUI_REDRAW | TUI_HANDLED;
	int f = r->focus_log ? tui_log_action(&r->log, ev) : tui_progress_action(&r->prog, ev);
	if (f)
		return f;
	switch (ev->act) {
	case ACT_NEXT:
	case ACT_PREV:
		r->focus_log = !r->focus_log;
		return TUI_HANDLED;
	case ACT_ENTER:
		return TUI_NEXT;
	default:
		return 0;
	}
}

static void run_destroy(struct tui_page *pg)
{
	struct run *r = pg->state;
	tui_progress_free(&r->prog);
	tui_log_free(&r->log);
	free(r);
}

static const struct page_ops run_ops = {
    .title = "Progress and log",
    .keys = "Tab switch pane  Up/Down scroll  Enter continue  Esc back",
    .help = "Each step shows a symbol and a status word: done, skipped, retrying (with the "
            "reason), running (with a spinner and the elapsed time), failed (with the code, "
            "message and fix) and waiting.",
    .init = run_init,
    .enter = run_enter,
    .draw = run_draw,
    .on_action = run_action,
    .leave = run_leave,
    .destroy = run_destroy,
};

/* ---- the external wait hook, as the engine provides it (curl_multi_poll with the tty as
 * an extra fd); here a plain poll that counts its calls (CX_TUI_GALLERY_IO=1) ---- */
static unsigned long hook_calls;

static int gallery_wait(void *ctx, int tty_fd, int timeout_ms)
{
	(void)ctx;
	hook_calls++;
	struct pollfd p = {tty_fd, POLLIN, 0};
	return poll(&p, 1, timeout_ms);
}

/* ---- page 6: dialogs ---- */
struct dialogs {
	char last[96];
};

static void dialogs_init(struct tui_page *pg)
{
	struct dialogs *d = xcalloc(1, sizeof(*d));
	str_copy(d->last, sizeof(d->last), "No dialog opened yet.");
	pg->state = d;
}

static void dialogs_draw(struct tui_page *pg, WINDOW *w, struct tui_rect b)
{
	struct dialogs *d = pg->state;
	int x = BODY_X(b), wd = b.w - 2;
	static const char *const lines[] = {
	    "c  open a confirm dialog (Yes/No)",
	    "m  open a message box",
	    "a  mark something as applied (q then asks before quitting)",
	    "?  show this page's help overlay",
	    "Enter  finish the gallery",
	};
	tui_put(w, b.y + 1, x, wd, "Dialogs", theme_attr(ROLE_LABEL));
	for (int i = 0; i < 5; i++)
		tui_put(w, b.y + 3 + i, x + 2, wd - 2, lines[i], A_NORMAL);
	tui_put(w, b.y + 9, x, wd, d->last, theme_attr(ROLE_DIM));
}

static int dialogs_action(struct tui_page *pg, const struct tui_event *ev)
{
	struct dialogs *d = pg->state;
	if (ev->ch == 'c') {
		int r = tui_confirm(pg->app, "Create the data export?",
		                    "The wizard will create the data export certerox-cur2 in "
		                    "us-east-1 and deliver it to s3://example-cur-bucket/cur2.",
		                    true);
		snprintf(d->last, sizeof(d->last), "Confirm answered: %s",
		         r == 1   ? "yes"
		         : r == 0 ? "no"
		                  : "interrupted");
		return TUI_HANDLED;
	}
	if (ev->ch == 'm') {
		tui_message(pg->app, "Export created",
		            "AWS delivers the first files within 24 hours.");
		str_copy(d->last, sizeof(d->last), "Message box closed.");
		return TUI_HANDLED;
	}
	if (ev->ch == 'a') {
		tui_app_set_applied(pg->app, true);
		str_copy(d->last, sizeof(d->last), "Marked as applied: quitting now asks first.");
		return TUI_HANDLED;
	}
	if (ev->act == ACT_ENTER) {
		char sum[96];
		if (hook_calls)
			snprintf(sum, sizeof(sum),
			         "widget gallery: done (external wait hook called %lu times)",
			         hook_calls);
		else
			snprintf(sum, sizeof(sum), "widget gallery: done");
		tui_app_set_summary(pg->app, sum);
		return TUI_DONE;
	}
	return 0;
}

static const struct page_ops dialogs_ops = {
    .title = "Dialogs",
    .keys = "c confirm  m message  a applied  Enter finish  Esc back",
    .help = "Dialogs are modal: the page underneath keeps its state, resizes and ticks.\n"
            "Confirm: y/n, Left/Right and Enter, Esc answers no.\n"
            "Any key closes this help.",
    .init = dialogs_init,
    .draw = dialogs_draw,
    .on_action = dialogs_action,
    .destroy = free_state,
};

void gallery_add_pages(struct tui_app *app)
{
	const char *io = getenv("CX_TUI_GALLERY_IO");
	if (io && strcmp(io, "1") == 0) {
		struct tui_io hook = {gallery_wait, NULL};
		tui_app_set_io(app, &hook);
	}
	tui_app_add_page(app, &form_ops, NULL);
	tui_app_add_page(app, &radios_ops, NULL);
	tui_app_add_page(app, &json_ops, NULL);
	tui_app_add_page(app, &diff_ops, NULL);
	tui_app_add_page(app, &run_ops, NULL);
	tui_app_add_page(app, &dialogs_ops, NULL);
}
