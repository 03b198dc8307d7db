/* test-keyring.c: keys in a real gnome-keyring-daemon, and clean failures
 * without one (where a provider that needs no key still works)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "confab-account-store.h"
#include "confab-error.h"
#include "confab-keyring.h"
#include "confab-test-env.h"

/* confab-cli's exit status for a keyring failure (part of its contract). */
#define EXIT_KEYRING 7

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
  g_assert_true (confab_keyring_error_is_unavailable (error));
}

/* Run by test-session.sh with CONFAB_TEST_NO_KEYRING=1: a session bus where
 * nothing provides, or can activate, the Secret Service. */
static void
test_no_secret_service (void)
{
  assert_keyring_unavailable ();
}

/* confab-cli with @args (NULL-terminated); fails the test unless it exits
 * with @expected_status. Returns its standard output. */
static char *
run_cli (ConfabTestEnv      *env,
         const char         *stdin_text,
         int                 expected_status,
         char              **stderr_text,
         const char * const *args)
{
  g_autofree char *err = NULL;
  char *out;
  int status;

  out = confab_test_env_run_cliv (env, stdin_text, args, &status, &err);
  if (status != expected_status)
    g_test_message ("confab-cli %s: exit status %d, stderr: %s", args[0], status, err);
  g_assert_cmpint (status, ==, expected_status);
  if (stderr_text != NULL)
    *stderr_text = g_steal_pointer (&err);
  return out;
}

static void
add_ollama_account (ConfabTestEnv *env,
                    const char    *key)
{
  const char *args[] = { "accounts", "add", "ol", "--provider", "ollama", "--base-url",
                         env->mock_url, "--model", "echo", key ? "--key-stdin" : NULL, NULL };
  g_autofree char *key_line = key ? g_strconcat (key, "\n", NULL) : NULL;

  g_free (run_cli (env, key_line, 0, NULL, args));
}

/* A local Ollama needs no key, so it needs no keyring either: chatting
 * with it and listing its models work without a Secret Service. */
static void
test_keyless_provider_without_keyring (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  const char *chat[] = { "chat", "--account", "ol", "Hello 你好", NULL };
  const char *models[] = { "models", "ol", NULL };
  g_autoptr(GPtrArray) requests = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *listing = NULL;
  g_autofree char *err = NULL;

  add_ollama_account (env, NULL);

  reply = run_cli (env, NULL, 0, &err, chat);
  g_assert_nonnull (strstr (reply, "Hello 你好"));
  g_assert_null (strstr (err, "keyring"));

  listing = run_cli (env, NULL, 0, NULL, models);
  g_assert_nonnull (strstr (listing, "echo:latest\n"));

  requests = confab_test_env_read_requests (env);
  g_assert_cmpuint (requests->len, ==, 2);
  for (guint i = 0; i < requests->len; i++)
    {
      JsonObject *request = json_node_get_object (g_ptr_array_index (requests, i));

      g_assert_false (json_object_has_member (json_object_get_object_member (request, "headers"),
                                              "authorization"));
    }
}

/* A provider that needs a key still fails, and says the keyring is why
 * (exit status 7), without sending anything. The account is written
 * directly: confab-cli does not add one whose key it cannot store. */
static void
test_key_provider_without_keyring (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autofree char *path = confab_account_store_default_path ();
  g_autoptr(ConfabAccountStore) store = confab_account_store_new (path);
  g_autoptr(ConfabAccount) account = confab_account_new (NULL, "cl", "anthropic");
  const char *chat[] = { "chat", "--account", "cl", "--model", "echo", "Hello", NULL };
  const char *models[] = { "models", "cl", NULL };
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  confab_account_set_base_url (account, env->mock_url);
  g_assert_true (confab_account_store_add (store, account, &error));
  g_assert_true (confab_account_store_save (store, &error));
  g_assert_no_error (error);

  out = run_cli (env, NULL, EXIT_KEYRING, &err, chat);
  g_assert_nonnull (strstr (err, "No keyring is available"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  out = run_cli (env, NULL, EXIT_KEYRING, &err, models);
  g_assert_nonnull (strstr (err, "No keyring is available"));

  requests = confab_test_env_read_requests (env);
  g_assert_cmpuint (requests->len, ==, 0);
}

/* With a keyring, a key stored for an Ollama account (a server behind an
 * authenticating proxy) is still sent. */
static void
test_keyless_provider_sends_stored_key (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  const char *chat[] = { "chat", "--account", "ol", "Hello", NULL };
  g_autoptr(GPtrArray) requests = NULL;
  g_autofree char *reply = NULL;
  JsonObject *request;

  add_ollama_account (env, CONFAB_TEST_KEY);
  reply = run_cli (env, NULL, 0, NULL, chat);
  g_assert_nonnull (strstr (reply, "Hello"));

  requests = confab_test_env_read_requests (env);
  g_assert_cmpuint (requests->len, ==, 1);
  request = json_node_get_object (g_ptr_array_index (requests, 0));
  g_assert_cmpstr (json_object_get_string_member (request, "path"), ==, "/api/chat");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (request, "headers"),
                                                  "authorization"), ==, "Bearer <redacted>");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  if (g_strcmp0 (g_getenv ("CONFAB_TEST_NO_KEYRING"), "1") == 0)
    {
      g_test_add_func ("/keyring/unavailable/no-secret-service", test_no_secret_service);
      g_test_add_func ("/keyring/unavailable/keyless-provider", test_keyless_provider_without_keyring);
      g_test_add_func ("/keyring/unavailable/key-provider", test_key_provider_without_keyring);
    }
  else
    {
      g_test_add_func ("/keyring/round-trip/sync", test_round_trip_sync);
      g_test_add_func ("/keyring/round-trip/async", test_round_trip_async);
      g_test_add_func ("/keyring/clear-one-kind", test_clear_one_kind);
      g_test_add_func ("/keyring/keyless-provider-sends-stored-key",
                       test_keyless_provider_sends_stored_key);
    }

  return g_test_run ();
}
