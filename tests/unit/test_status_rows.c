/* test_status_rows - the states of the rows of "Check connected data sources"
 * (src/tui/pages/status_rows.c): each problem code's state, a row's state as the worst of its
 * problems', distinct symbols per state in UTF-8 and in ASCII, the cell a problem colours and
 * the wizard action offered. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tui/pages/status_rows.h"

/* Writable strings for the problems' fields (status_problem holds char *). */
static char m_[] = "m", c_wait[] = "no_delivery_yet", a_wait[] = "wait",
            c_unr[] = "account_unreachable", a_cmd[] = "command", c_vault[] = "key_not_in_vault",
            a_rot[] = "rotate", c_inact[] = "key_inactive", c_perm[] = "permission_missing",
            a_con[] = "connect";

/* A data source with these problems (code, action pairs), checked. */
static void with(struct status_ds *d, struct status_problem *p, size_t n)
{
	memset(d, 0, sizeof(*d));
	d->done = true;
	d->problems = p;
	d->nproblems = n;
}

START_TEST(code_states)
{
	ck_assert_int_eq(srow_code_state("no_delivery_yet"), SROW_WAITING);
	ck_assert_int_eq(srow_code_state("account_unreachable"), SROW_UNREACHABLE);
	static const char *const problems[] = {"export_missing",
	                                       "export_unhealthy",
	                                       "bucket_missing",
	                                       "bucket_policy_blocks_delivery",
	                                       "key_missing",
	                                       "key_inactive",
	                                       "key_old",
	                                       "key_not_in_vault",
	                                       "permission_missing",
	                                       "import_failed",
	                                       "linked_without_root"};
	for (size_t i = 0; i < sizeof(problems) / sizeof(problems[0]); i++)
		ck_assert_int_eq(srow_code_state(problems[i]), SROW_PROBLEM);
}
END_TEST

START_TEST(row_states)
{
	struct status_ds d;
	struct status_problem wait = {c_wait, m_, m_, a_wait};
	struct status_problem unr = {c_unr, m_, m_, a_cmd};
	struct status_problem vault = {c_vault, m_, m_, a_rot};
	struct status_problem p1[] = {wait}, p2[] = {unr}, p3[] = {unr, vault},
	                      p4[] = {wait, vault};
	with(&d, NULL, 0);
	d.done = false;
	ck_assert_int_eq(srow_state(&d), SROW_CHECKING);
	with(&d, NULL, 0);
	ck_assert_int_eq(srow_state(&d), SROW_OK);
	with(&d, p1, 1);
	ck_assert_int_eq(srow_state(&d), SROW_WAITING);
	with(&d, p2, 1);
	ck_assert_int_eq(srow_state(&d), SROW_UNREACHABLE);
	with(&d, p3, 2); /* a problem beside the unreachable account is a problem */
	ck_assert_int_eq(srow_state(&d), SROW_PROBLEM);
	with(&d, p4, 2); /* order does not matter: the worst wins */
	ck_assert_int_eq(srow_state(&d), SROW_PROBLEM);
	struct status_problem p5[] = {vault, wait};
	with(&d, p5, 2);
	ck_assert_int_eq(srow_state(&d), SROW_PROBLEM);
}
END_TEST

START_TEST(symbols_distinct)
{
	for (int ascii = 0; ascii < 2; ascii++) {
		ck_assert_ptr_null(srow_symbol(SROW_CHECKING, ascii)); /* the spinner */
		for (int a = SROW_OK; a < SROW_COUNT; a++) {
			const char *sa = srow_symbol((enum srow_state)a, ascii);
			ck_assert_ptr_nonnull(sa);
			ck_assert_uint_eq(strlen(sa) > 0, 1);
			ck_assert_str_ne(srow_word((enum srow_state)a), "");
			if (ascii) {
				ck_assert_uint_eq(strlen(sa), 4); /* the ASCII column is 4 wide */
				for (const char *c = sa; *c; c++)
					ck_assert_uint_lt((unsigned char)*c, 0x80);
			}
			for (int b = a + 1; b < SROW_COUNT; b++)
				ck_assert_str_ne(sa, srow_symbol((enum srow_state)b, ascii));
		}
	}
	ck_assert_str_eq(srow_symbol(SROW_OK, true), "[ok]");
	ck_assert_str_eq(srow_symbol(SROW_PROBLEM, true), "[!!]");
	ck_assert_str_eq(srow_symbol(SROW_WAITING, false), "\u29d7");
}
END_TEST

START_TEST(cells_and_actions)
{
	ck_assert_int_eq(srow_code_cell("export_unhealthy"), SROW_CELL_EXPORT);
	ck_assert_int_eq(srow_code_cell("no_delivery_yet"), SROW_CELL_DELIVERY);
	ck_assert_int_eq(srow_code_cell("key_old"), SROW_CELL_KEY);
	ck_assert_int_eq(srow_code_cell("import_failed"), SROW_CELL_IMPORT);
	ck_assert_int_eq(srow_code_cell("account_unreachable"), SROW_CELL_NONE);
	struct status_ds d;
	struct status_problem wait = {c_wait, m_, m_, a_wait};
	struct status_problem unr = {c_unr, m_, m_, a_cmd};
	struct status_problem rot = {c_inact, m_, m_, a_rot};
	struct status_problem con = {c_perm, m_, m_, a_con};
	struct status_problem none[] = {wait, unr}, first[] = {wait, rot, con};
	with(&d, none, 2);
	ck_assert_ptr_null(srow_fix_action(&d));
	with(&d, first, 3);
	ck_assert_str_eq(srow_fix_action(&d), "rotate");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("status_rows");
	TCase *tc = tcase_create("rows");
	tcase_add_test(tc, code_states);
	tcase_add_test(tc, row_states);
	tcase_add_test(tc, symbols_distinct);
	tcase_add_test(tc, cells_and_actions);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(suite());
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
