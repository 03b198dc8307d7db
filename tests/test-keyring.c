/* test-keyring.c: keys in a real gnome-keyring-daemon, and clean failures
 * without one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-error.h"
#include "confab-keyring.h"
#include "confab-test-env.h"

static void
test_round_trip_sync (void)
{
  g_autoptr(GError) error = NULL;
  char *secret;

  secret = confab_keyring_lookup_sync ("acc1", CONFAB_SECRET_API_KEY, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (secret);

  g_assert_true (confab_keyring_store_sync ("acc1", CONFAB_SECRET_API_KEY, "Work",
                                            "sk-test-roundtrip", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (confab_keyring_store_sync ("acc1", CONFAB_SECRET_PROXY_PASSWORD, "Work",
                                            "proxy-pw", NULL, &error));
  g_assert_true (confab_keyring_store_sync ("acc2", CONFAB_SECRET_API_KEY, "Home",
                                            "sk-other", NULL, &error));

  secret = confab_keyring_lookup_sync ("acc1", CONFAB_SECRET_API_KEY, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, "sk-test-roundtrip");
  confab_keyring_secret_free (secret);

  secret = confab_keyring_lookup_sync ("acc1", CONFAB_SECRET_PROXY_PASSWORD, NULL, &error);
  g_assert_cmpstr (secret, ==, "proxy-pw");
  confab_keyring_secret_free (secret);

  /* Replacing a key keeps one item. */
  confab_keyring_store_sync ("acc1", CONFAB_SECRET_API_KEY, "Work", "sk-replaced", NULL, &error);
  g_assert_no_error (error);
  secret = confab_keyring_lookup_sync ("acc1", CONFAB_SECRET_API_KEY, NULL, &error);
  g_assert_cmpstr (secret, ==, "sk-replaced");
  confab_keyring_secret_free (secret);

  g_assert_true (confab_keyring_clear_sync ("acc1", NULL, &error));
  g_assert_no_error (error);
  g_assert_null (confab_keyring_lookup_sync ("acc1", CONFAB_SECRET_API_KEY, NULL, &error));
  g_assert_null (confab_keyring_lookup_sync ("acc1", CONFAB_SECRET_PROXY_PASSWORD, NULL, &error));
  g_assert_no_error (error);

  secret = confab_keyring_lookup_sync ("acc2", CONFAB_SECRET_API_KEY, NULL, &error);
  g_assert_cmpstr (secret, ==, "sk-other");
  confab_keyring_secret_free (secret);
}

typedef struct
{
  gboolean  done;
  gboolean  ok;
  char     *secret;
  GError   *error;
} AsyncResult;

static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  AsyncResult *r = user_data;

  r->ok = confab_keyring_store_finish (result, &r->error);
  r->done = TRUE;
}

static void
on_lookup (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  AsyncResult *r = user_data;

  r->secret = confab_keyring_lookup_finish (result, &r->error);
  r->done = TRUE;
}

static void
on_cleared (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  AsyncResult *r = user_data;

  r->ok = confab_keyring_clear_finish (result, &r->error);
  r->done = TRUE;
}

static void
test_round_trip_async (void)
{
  AsyncResult r = { 0 };

  confab_keyring_store_async ("async1", CONFAB_SECRET_API_KEY, "Async", "sk-async-ä",
                              NULL, on_stored, &r);
  confab_test_wait_for (&r.done);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);

  memset (&r, 0, sizeof r);
  confab_keyring_lookup_async ("async1", CONFAB_SECRET_API_KEY, NULL, on_lookup, &r);
  confab_test_wait_for (&r.done);
  g_assert_no_error (r.error);
  g_assert_cmpstr (r.secret, ==, "sk-async-ä");
  confab_keyring_secret_free (r.secret);

  memset (&r, 0, sizeof r);
  confab_keyring_clear_async ("async1", NULL, on_cleared, &r);
  confab_test_wait_for (&r.done);
  g_assert_no_error (r.error);

  memset (&r, 0, sizeof r);
  confab_keyring_lookup_async ("async1", CONFAB_SECRET_API_KEY, NULL, on_lookup, &r);
  confab_test_wait_for (&r.done);
  g_assert_no_error (r.error);
  g_assert_null (r.secret);
}

/* Removing an account's proxy password leaves its API key. */
static void
test_clear_one_kind (void)
{
  AsyncResult r = { 0 };
  g_autoptr(GError) error = NULL;
  char *secret;

  g_assert_true (confab_keyring_store_sync ("kinds", CONFAB_SECRET_API_KEY, "Kinds", "sk-kept",
                                            NULL, &error));
  g_assert_true (confab_keyring_store_sync ("kinds", CONFAB_SECRET_PROXY_PASSWORD, "Kinds",
                                            "proxy-gone", NULL, &error));
  g_assert_no_error (error);

  confab_keyring_clear_kind_async ("kinds", CONFAB_SECRET_PROXY_PASSWORD, NULL, on_cleared, &r);
  confab_test_wait_for (&r.done);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);

  secret = confab_keyring_lookup_sync ("kinds", CONFAB_SECRET_PROXY_PASSWORD, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (secret);
  secret = confab_keyring_lookup_sync ("kinds", CONFAB_SECRET_API_KEY, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, "sk-kept");
  confab_keyring_secret_free (secret);
  g_assert_true (confab_keyring_clear_sync ("kinds", NULL, &error));
}

static void
assert_keyring_unavailable (void)
{
  g_autoptr(GError) error = NULL;
  char *secret;

  g_assert_false (confab_keyring_store_sync ("acc", CONFAB_SECRET_API_KEY, "X", "sk-nowhere",
                                             NULL, &error));
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_KEYRING);
  g_assert_nonnull (strstr (error->message, "No keyring is available"));
  g_assert_null (strstr (error->message, "sk-nowhere"));
  g_clear_error (&error);

  secret = confab_keyring_lookup_sync ("acc", CONFAB_SECRET_API_KEY, NULL, &error);
  g_assert_null (secret);
  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_KEYRING);
}

/* Run by test-session.sh with CONFAB_TEST_NO_KEYRING=1: a session bus where
 * nothing provides, or can activate, the Secret Service. */
static void
test_no_secret_service (void)
{
  assert_keyring_unavailable ();
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  if (g_strcmp0 (g_getenv ("CONFAB_TEST_NO_KEYRING"), "1") == 0)
    {
      g_test_add_func ("/keyring/unavailable/no-secret-service", test_no_secret_service);
    }
  else
    {
      g_test_add_func ("/keyring/round-trip/sync", test_round_trip_sync);
      g_test_add_func ("/keyring/round-trip/async", test_round_trip_async);
      g_test_add_func ("/keyring/clear-one-kind", test_clear_one_kind);
    }

  return g_test_run ();
}
