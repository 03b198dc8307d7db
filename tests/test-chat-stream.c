/* test-chat-stream.c: one streamed exchange, in process, against the mock
 * provider and small hostile servers: timeouts, redirects, cancellation,
 * retries, credentials
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <libsoup/soup.h>

#include "confab-chat-stream.h"
#include "confab-keyring.h"
#include "confab-test-env.h"

typedef struct
{
  GString  *text;
  GString  *reasoning;
  guint     n_retries;
  gboolean  done;
  gboolean  ok;
  GError   *error;
  GCancellable *cancel_on_text;
} Run;

static void
on_text (ConfabChatStream *stream,
         const char       *text,
         Run              *run)
{
  g_string_append (run->text, text);
  if (run->cancel_on_text != NULL)
    g_cancellable_cancel (run->cancel_on_text);
}

static void
on_reasoning (ConfabChatStream *stream,
              const char       *text,
              Run              *run)
{
  g_string_append (run->reasoning, text);
}

static void
on_retrying (ConfabChatStream *stream,
             guint             attempt,
             guint             delay_ms,
             const GError     *error,
             Run              *run)
{
  run->n_retries++;
  g_assert_cmpuint (attempt, ==, run->n_retries);
  g_assert_nonnull (error);
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Run *run = user_data;

  run->ok = confab_chat_stream_run_finish (CONFAB_CHAT_STREAM (source), result, &run->error);
  run->done = TRUE;
}

static ConfabAccount *
make_account (const char *base_url,
              const char *provider,
              const char *model,
              gboolean    with_key)
{
  ConfabAccount *account = confab_account_new (NULL, "Test", provider);
  g_autoptr(GError) error = NULL;

  confab_account_set_base_url (account, base_url);
  confab_account_set_model (account, model);
  if (with_key)
    {
      confab_keyring_store_sync (confab_account_get_id (account), CONFAB_SECRET_API_KEY, "Test",
                                 CONFAB_TEST_KEY, NULL, &error);
      g_assert_no_error (error);
    }
  return account;
}

static ConfabChatStream *
start (ConfabAccount *account,
       const char    *model,
       const char    *prompt,
       Run           *run,
       GCancellable  *cancellable)
{
  g_autoptr(ConfabProvider) provider = confab_provider_new_for_account (account, NULL);
  g_autoptr(ConfabChatRequest) request = confab_chat_request_new (model);
  ConfabChatStream *stream;

  confab_chat_request_add_message (request, CONFAB_ROLE_USER, prompt);
  stream = confab_chat_stream_new (account, provider, request);
  run->text = g_string_new (NULL);
  run->reasoning = g_string_new (NULL);
  g_signal_connect (stream, "text", G_CALLBACK (on_text), run);
  g_signal_connect (stream, "reasoning", G_CALLBACK (on_reasoning), run);
  g_signal_connect (stream, "retrying", G_CALLBACK (on_retrying), run);
  confab_chat_stream_set_timeouts (stream, 5000, 5000, 5000);
  confab_chat_stream_run_async (stream, cancellable, on_done, run);
  return stream;
}

static void
run_clear (Run *run)
{
  g_string_free (run->text, TRUE);
  g_string_free (run->reasoning, TRUE);
  g_clear_error (&run->error);
}

static char *
mock_base (ConfabTestEnv *env)
{
  return g_strconcat (env->mock_url, "/v1", NULL);
}

static void
test_stream_echo (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autofree char *base = mock_base (env);
  g_autoptr(ConfabAccount) account = make_account (base, "openai", "echo", TRUE);
  g_autoptr(ConfabChatStream) stream = NULL;
  Run run = { 0 };

  stream = start (account, "reasoning", "多轮 streaming test", &run, NULL);
  confab_test_wait_for (&run.done);

  g_assert_no_error (run.error);
  g_assert_true (run.ok);
  g_assert_cmpstr (run.text->str, ==, "多轮 streaming test");
  g_assert_cmpuint (run.reasoning->len, >, 0);
  g_assert_cmpstr (confab_chat_stream_get_finish_reason (stream), ==, "stop");
  g_assert_cmpint (confab_chat_stream_get_input_tokens (stream), >, 0);
  g_assert_cmpint (confab_chat_stream_get_output_tokens (stream), >, 0);
  g_assert_cmpint (confab_chat_stream_get_ttft (stream), >=, 0);
  g_assert_cmpint (confab_chat_stream_get_duration (stream), >=,
                   confab_chat_stream_get_ttft (stream));
  g_assert_cmpuint (confab_chat_stream_get_status (stream), ==, 200);
  g_assert_true (confab_chat_stream_get_has_streamed (stream));
  run_clear (&run);
}

static void
test_stream_no_key (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autofree char *base = mock_base (env);
  g_autoptr(ConfabAccount) account = make_account (base, "openai", "echo", FALSE);
  g_autoptr(ConfabChatStream) stream = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  Run run = { 0 };

  stream = start (account, "echo", "hi", &run, NULL);
  confab_test_wait_for (&run.done);
  g_assert_error (run.error, CONFAB_ERROR, CONFAB_ERROR_AUTH);
  g_assert_nonnull (strstr (run.error->message, "No API key"));
  requests = confab_test_env_read_requests (env);
  g_assert_cmpuint (requests->len, ==, 0);
  run_clear (&run);
}

static void
test_stream_retries (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autofree char *base = mock_base (env);
  g_autoptr(ConfabAccount) account = make_account (base, "custom", "echo", TRUE);
  g_autoptr(ConfabChatStream) stream = NULL;
  Run run = { 0 };

  stream = start (account, "flaky-500", "second time lucky", &run, NULL);
  confab_test_wait_for (&run.done);
  g_assert_no_error (run.error);
  g_assert_cmpuint (run.n_retries, ==, 1);
  g_assert_cmpstr (run.text->str, ==, "second time lucky");
  run_clear (&run);
  g_clear_object (&stream);

  memset (&run, 0, sizeof run);
  stream = start (account, "error-500", "never", &run, NULL);
  confab_chat_stream_set_max_retries (stream, 1);
  confab_test_wait_for (&run.done);
  g_assert_error (run.error, CONFAB_ERROR, CONFAB_ERROR_SERVER);
  g_assert_cmpuint (confab_chat_stream_get_status (stream), ==, 500);
  run_clear (&run);
}

/* Stop mid-stream: the partial text stays, the error says cancelled. */
static void
test_stream_cancel (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autofree char *base = mock_base (env);
  g_autoptr(ConfabAccount) account = make_account (base, "custom", "echo", TRUE);
  g_autoptr(ConfabChatStream) stream = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Run run = { 0 };

  run.cancel_on_text = cancellable;
  stream = start (account, "slow", "alpha beta gamma delta epsilon zeta eta theta", &run,
                  cancellable);
  confab_test_wait_for (&run.done);
  g_assert_error (run.error, CONFAB_ERROR, CONFAB_ERROR_CANCELLED);
  g_assert_true (g_str_has_prefix (run.text->str, "alpha"));
  g_assert_null (strstr (run.text->str, "theta"));
  run_clear (&run);
}

static void
test_stream_cancel_while_waiting_to_retry (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autofree char *base = mock_base (env);
  g_autoptr(ConfabAccount) account = make_account (base, "custom", "echo", TRUE);
  g_autoptr(ConfabChatStream) stream = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Run run = { 0 };

  stream = start (account, "error-429", "wait", &run, cancellable);
  while (run.n_retries == 0)
    g_main_context_iteration (NULL, TRUE);
  g_cancellable_cancel (cancellable);
  confab_test_wait_for (&run.done);
  g_assert_error (run.error, CONFAB_ERROR, CONFAB_ERROR_CANCELLED);
  run_clear (&run);
}

static void
test_stream_first_byte_timeout (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autofree char *base = mock_base (env);
  g_autoptr(ConfabAccount) account = make_account (base, "custom", "echo", TRUE);
  g_autoptr(ConfabChatStream) stream = NULL;
  Run run = { 0 };

  stream = start (account, "hang", "anyone there?", &run, NULL);
  confab_chat_stream_set_timeouts (stream, 2000, 300, 2000);
  confab_chat_stream_set_max_retries (stream, 0);
  confab_test_wait_for (&run.done);
  g_assert_error (run.error, CONFAB_ERROR, CONFAB_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (run.error->message, "did not answer"));
  run_clear (&run);
}

static void
test_stream_stall_timeout (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autofree char *base = mock_base (env);
  g_autoptr(ConfabAccount) account = make_account (base, "custom", "echo", TRUE);
  g_autoptr(ConfabChatStream) stream = NULL;
  Run run = { 0 };

  stream = start (account, "trickle", "slowly", &run, NULL);
  confab_chat_stream_set_timeouts (stream, 2000, 2000, 400);
  confab_test_wait_for (&run.done);
  g_assert_error (run.error, CONFAB_ERROR, CONFAB_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (run.error->message, "stopped sending"));
  g_assert_cmpuint (run.n_retries, ==, 0);
  run_clear (&run);
}

static void
test_stream_connection_refused (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabAccount) account = NULL;
  g_autoptr(ConfabChatStream) stream = NULL;
  g_autofree char *base = NULL;
  guint16 port;
  Run run = { 0 };

  /* A port that was just free: nothing listens there. */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);
  base = g_strdup_printf ("http://127.0.0.1:%u/v1", port);
  account = make_account (base, "custom", "echo", TRUE);

  stream = start (account, "echo", "hello?", &run, NULL);
  confab_chat_stream_set_max_retries (stream, 0);
  confab_test_wait_for (&run.done);
  g_assert_error (run.error, CONFAB_ERROR, CONFAB_ERROR_NETWORK);
  g_assert_nonnull (strstr (run.error->message, "127.0.0.1"));
  run_clear (&run);
}

static void
redirect_handler (SoupServer        *server,
                  SoupServerMessage *message,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  const char *target = user_data;
  g_autofree char *location = g_strconcat (target, path, NULL);

  soup_server_message_set_redirect (message, 307, location);
}

/* A redirect to another host is not followed, so the key never gets there:
 * the mock behind the redirect must see no request at all. */
static void
test_stream_redirect_not_followed (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabAccount) account = NULL;
  g_autoptr(ConfabChatStream) stream = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autoslist(GUri) uris = NULL;
  g_autofree char *base = NULL;
  g_autofree char *target = NULL;
  Run run = { 0 };

  /* "localhost" rather than 127.0.0.1: another host name for the target. */
  target = g_strdup_printf ("http://localhost:%s", strrchr (env->mock_url, ':') + 1);

  soup_server_add_handler (server, NULL, redirect_handler, target, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  base = g_strdup_printf ("http://127.0.0.1:%d/v1", g_uri_get_port (uris->data));
  account = make_account (base, "openai", "echo", TRUE);

  stream = start (account, "echo", "follow me", &run, NULL);
  confab_test_wait_for (&run.done);
  g_assert_error (run.error, CONFAB_ERROR, CONFAB_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (run.error->message, "localhost"));
  g_assert_cmpuint (confab_chat_stream_get_status (stream), ==, 307);

  requests = confab_test_env_read_requests (env);
  g_assert_cmpuint (requests->len, ==, 0);
  run_clear (&run);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/chat-stream/echo", test_stream_echo);
  g_test_add_func ("/chat-stream/no-key", test_stream_no_key);
  g_test_add_func ("/chat-stream/retries", test_stream_retries);
  g_test_add_func ("/chat-stream/cancel", test_stream_cancel);
  g_test_add_func ("/chat-stream/cancel-while-waiting", test_stream_cancel_while_waiting_to_retry);
  g_test_add_func ("/chat-stream/timeout/first-byte", test_stream_first_byte_timeout);
  g_test_add_func ("/chat-stream/timeout/stall", test_stream_stall_timeout);
  g_test_add_func ("/chat-stream/connection-refused", test_stream_connection_refused);
  g_test_add_func ("/chat-stream/redirect-not-followed", test_stream_redirect_not_followed);

  return g_test_run ();
}
