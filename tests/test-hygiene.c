/* test-hygiene.c: an API key goes to its account's host and nowhere else
 *
 * With a distinctive key, after adding accounts, chatting (with success
 * and with errors, some of which quote the key back as providers do),
 * listing the history, and moving an account to another host: the key is
 * in no file under the XDG folders (the history database included), in
 * no output even with G_MESSAGES_DEBUG=all (which must show the redacted
 * headers), in no error message, never in /proc/PID/cmdline, and never in
 * a request to any server but the account's own.
 *
 * The servers are SoupServers of this test, each in its own thread, that
 * record every request's headers and body as they arrived.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define _GNU_SOURCE
#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <stdlib.h>
#include <string.h>

#include "confab-test-env.h"

#define KEY     "sk-hygiene-Zq7Wx2Vc9Bn4Lm8Kj3Hg6Fd1"
#define NEW_KEY "sk-hygiene-rotated-Pp5Oo4Ii3Uu2Yy1"

/* A recording server */

typedef struct
{
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *server;
  char         *url;
  char         *redirect_to;
  GMutex        mutex;
  GCond         cond;
  /* Every request as received: request line, headers, body. */
  GString      *log;
  guint         n_requests;
} Server;

static const char reply_stream[] =
  "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"clean reply\"}}]}\n\n"
  "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
  "data: [DONE]\n\n";

static char *
bearer_key (SoupServerMessage *message)
{
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (message),
                                                   "Authorization");

  return g_strdup (auth != NULL && g_str_has_prefix (auth, "Bearer ") ? auth + 7 : "");
}

static void
record (Server            *server,
        SoupServerMessage *message,
        const char        *path)
{
  SoupMessageHeadersIter iter;
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  const char *name, *value;

  g_mutex_lock (&server->mutex);
  server->n_requests++;
  g_string_append_printf (server->log, "%s %s\n", soup_server_message_get_method (message), path);
  soup_message_headers_iter_init (&iter, soup_server_message_get_request_headers (message));
  while (soup_message_headers_iter_next (&iter, &name, &value))
    g_string_append_printf (server->log, "%s: %s\n", name, value);
  if (body->data != NULL)
    g_string_append_len (server->log, body->data, body->length);
  g_string_append (server->log, "\n\n");
  g_mutex_unlock (&server->mutex);
}

static gboolean
unpause (gpointer user_data)
{
  soup_server_message_unpause (user_data);
  return G_SOURCE_REMOVE;
}

/* The model (in the request body) picks the reply: a stream, a 401 that
 * quotes the key as some providers do, or an in-band error quoting it. */
static void
handle (SoupServer        *soup_server,
        SoupServerMessage *message,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  Server *server = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  g_autofree char *key = bearer_key (message);
  g_autofree char *text = NULL;
  const char *model = body->data && strstr (body->data, "\"model\":\"") ?
                      strstr (body->data, "\"model\":\"") + 9 : "";

  record (server, message, path);

  if (server->redirect_to != NULL)
    {
      g_autofree char *location = g_strconcat (server->redirect_to, path, NULL);
      soup_server_message_set_redirect (message, 307, location);
      return;
    }

  if (g_str_has_prefix (model, "quote-401"))
    {
      text = g_strdup_printf ("{\"error\":{\"message\":\"Incorrect API key provided: %s. You "
                              "can find your API key at …\",\"type\":\"invalid_request_error\","
                              "\"code\":\"invalid_api_key\"}}", key);
      soup_server_message_set_status (message, 401, NULL);
      soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY,
                                        text, strlen (text));
      return;
    }
  if (g_str_has_prefix (model, "quote-inband"))
    {
      text = g_strdup_printf ("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"par\"}}]}"
                              "\n\ndata: {\"error\":{\"message\":\"key %s was revoked\","
                              "\"type\":\"server_error\"}}\n\n", key);
      soup_server_message_set_status (message, 200, NULL);
      soup_server_message_set_response (message, "text/event-stream", SOUP_MEMORY_COPY,
                                        text, strlen (text));
      return;
    }

  soup_server_message_set_status (message, 200, NULL);
  soup_server_message_set_response (message, "text/event-stream", SOUP_MEMORY_STATIC,
                                    reply_stream, strlen (reply_stream));

  /* "slow": the same reply a second later, so the client can be looked at
   * while it waits. */
  if (g_str_has_prefix (model, "slow"))
    {
      g_autoptr(GSource) later = g_timeout_source_new (1000);

      soup_server_message_pause (message);
      g_source_set_callback (later, unpause, g_object_ref (message), g_object_unref);
      g_source_attach (later, server->context);
    }
}

static gpointer
server_thread (gpointer user_data)
{
  Server *server = user_data;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (server->context);
  server->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server->server, NULL, handle, server, NULL);
  soup_server_listen_local (server->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server->server);

  g_mutex_lock (&server->mutex);
  server->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_cond_broadcast (&server->cond);
  g_mutex_unlock (&server->mutex);
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);

  g_main_loop_run (server->loop);

  soup_server_disconnect (server->server);
  g_clear_object (&server->server);
  g_main_context_pop_thread_default (server->context);
  return NULL;
}

static Server *
server_new (void)
{
  Server *server = g_new0 (Server, 1);

  g_mutex_init (&server->mutex);
  g_cond_init (&server->cond);
  server->log = g_string_new (NULL);
  server->context = g_main_context_new ();
  server->loop = g_main_loop_new (server->context, FALSE);
  server->thread = g_thread_new ("hygiene-server", server_thread, server);

  g_mutex_lock (&server->mutex);
  while (server->url == NULL)
    g_cond_wait (&server->cond, &server->mutex);
  g_mutex_unlock (&server->mutex);
  return server;
}

static gboolean
quit_loop (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
server_free (Server *server)
{
  g_main_context_invoke (server->context, quit_loop, server->loop);
  g_thread_join (server->thread);
  g_main_loop_unref (server->loop);
  g_main_context_unref (server->context);
  g_string_free (server->log, TRUE);
  g_free (server->url);
  g_free (server->redirect_to);
  g_mutex_clear (&server->mutex);
  g_cond_clear (&server->cond);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Server, server_free)

static gboolean
server_saw (Server     *server,
            const char *needle)
{
  gboolean seen;

  g_mutex_lock (&server->mutex);
  seen = strstr (server->log->str, needle) != NULL;
  g_mutex_unlock (&server->mutex);
  return seen;
}

static guint
server_get_n_requests (Server *server)
{
  guint n;

  g_mutex_lock (&server->mutex);
  n = server->n_requests;
  g_mutex_unlock (&server->mutex);
  return n;
}

/* confab-cli, with every output collected for the final check */

typedef struct
{
  ConfabTestEnv *env;
  GString       *outputs;
} Session;

static char *
run (Session     *session,
     const char  *input,
     int         *status,
     char       **err,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *err_text = NULL;
  const char *arg;
  char *out;
  va_list ap;

  va_start (ap, err);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (char *)arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  out = confab_test_env_run_cliv (session->env, input, (const char * const *)args->pdata, status,
                                  &err_text);
  g_string_append (session->outputs, out);
  g_string_append (session->outputs, err_text);
  g_assert_null (strstr (out, KEY));
  g_assert_null (strstr (err_text, KEY));
  if (err != NULL)
    *err = g_steal_pointer (&err_text);
  return out;
}

static void
session_init (Session *session)
{
  session->env = confab_test_env_new (CONFAB_TEST_ENV_NONE);
  /* GLib's debug output on, SoupLogger's with it (confab-http.c). */
  session->env->cli_env = g_strsplit ("G_MESSAGES_DEBUG=all", ";", -1);
  session->outputs = g_string_new (NULL);
}

static void
session_clear (Session *session)
{
  confab_test_env_free (session->env);
  g_string_free (session->outputs, TRUE);
}

static void
add_account (Session    *session,
             const char *name,
             const char *base_url)
{
  g_autofree char *out = NULL;
  int status;

  out = run (session, KEY "\n", &status, NULL, "accounts", "add", name, "--provider", "custom",
             "--base-url", base_url, "--model", "clean", "--key-stdin", NULL);
  g_assert_cmpint (status, ==, 0);
}

static void
assert_no_key_in_files (void)
{
  const char *dirs[] = { g_get_user_config_dir (), g_get_user_data_dir (), g_get_user_cache_dir (),
                         g_get_user_state_dir (), g_get_home_dir (), NULL };
  g_autofree char *history = g_build_filename (g_get_user_data_dir (), "confab", "history.db",
                                               NULL);

  g_assert_true (g_file_test (history, G_FILE_TEST_EXISTS));
  for (guint i = 0; dirs[i] != NULL; i++)
    g_assert_false (confab_test_tree_contains (dirs[i], KEY));
}

/* Success and errors, with debug output on: the key is in none of it,
 * and the debug log shows the Authorization header redacted. */
static void
test_outputs_and_files (void)
{
  g_autoptr(Server) server = server_new ();
  g_autofree char *base = g_strconcat (server->url, "/v1", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  Session session;
  int status;

  session_init (&session);
  add_account (&session, "Work", base);

  out = run (&session, NULL, &status, &err, "chat", "hello", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (out, ==, "clean reply\n");
  /* The logger really logs, and really redacts. */
  g_assert_nonnull (strstr (err, "> POST /v1/chat/completions"));
  g_assert_nonnull (strstr (err, "> Authorization: [redacted]"));
  g_assert_true (server_saw (server, "Authorization: Bearer " KEY));

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  out = run (&session, NULL, &status, &err, "chat", "--model", "quote-401", "again", NULL);
  g_assert_cmpint (status, ==, 3);
  g_assert_nonnull (strstr (err, "Incorrect API key provided: ****"));

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  out = run (&session, NULL, &status, &err, "chat", "--events", "--model", "quote-inband",
             "and again", NULL);
  g_assert_cmpint (status, ==, 5);
  g_assert_nonnull (strstr (out, "key **** was revoked"));

  g_clear_pointer (&out, g_free);
  out = run (&session, NULL, &status, NULL, "history", "list", "--json", NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);
  out = run (&session, NULL, &status, NULL, "history", "export", "--all", "--format", "json",
             NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);
  out = run (&session, NULL, &status, NULL, "accounts", "list", "--json", NULL);
  g_assert_cmpint (status, ==, 0);

  g_assert_null (strstr (session.outputs->str, KEY));
  assert_no_key_in_files ();
  session_clear (&session);
}

static gboolean
cmdline_contains (GPid        pid,
                  const char *needle)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cmdline", pid);
  g_autofree char *contents = NULL;
  gsize len;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return FALSE;
  return memmem (contents, len, needle, strlen (needle)) != NULL;
}

/* While confab-cli runs (adding the account, then a slow reply), its
 * command line never holds the key. */
static void
test_cmdline (void)
{
  g_autoptr(Server) server = server_new ();
  g_autofree char *base = g_strconcat (server->url, "/v1", NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  const char *cli = g_getenv ("CONFAB_CLI");
  GPid pid;
  Session session;

  session_init (&session);
  launcher = confab_test_env_new_cli_launcher (session.env, G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                            G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                            G_SUBPROCESS_FLAGS_STDERR_MERGE);
  process = g_subprocess_launcher_spawn (launcher, &error, cli, "accounts", "add", "Work",
                                         "--provider", "custom", "--base-url", base, "--model",
                                         "clean", "--key-stdin", NULL);
  g_assert_no_error (error);
  pid = atoi (g_subprocess_get_identifier (process));

  /* It waits for the key on standard input: look now. */
  g_usleep (100 * 1000);
  g_assert_true (cmdline_contains (pid, "--key-stdin"));
  g_assert_false (cmdline_contains (pid, KEY));
  g_subprocess_communicate_utf8 (process, KEY "\n", NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_clear_object (&process);
  g_clear_pointer (&out, g_free);

  /* A chat holds the key in memory while the reply is awaited. */
  process = g_subprocess_launcher_spawn (launcher, &error, cli, "chat", "--model", "slow",
                                         "wait for it", NULL);
  g_assert_no_error (error);
  pid = atoi (g_subprocess_get_identifier (process));
  for (guint i = 0; i < 1000 && server_get_n_requests (server) == 0; i++)
    g_usleep (10 * 1000);
  g_assert_cmpuint (server_get_n_requests (server), ==, 1);
  g_assert_true (cmdline_contains (pid, "wait for it"));
  g_assert_false (cmdline_contains (pid, KEY));
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_assert_true (server_saw (server, "Authorization: Bearer " KEY));

  g_assert_false (confab_test_tree_contains (g_get_user_config_dir (), KEY));
  session_clear (&session);
}

/* A redirect to a second server: not followed, nothing arrives there. */
static void
test_redirect (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Server) elsewhere = server_new ();
  g_autofree char *base = g_strconcat (server->url, "/v1", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  Session session;
  int status;

  session_init (&session);
  server->redirect_to = g_strdup (elsewhere->url);
  add_account (&session, "Work", base);

  out = run (&session, NULL, &status, &err, "chat", "follow me", NULL);
  g_assert_cmpint (status, ==, 5);
  g_assert_nonnull (strstr (err, "redirected"));
  g_assert_cmpuint (server_get_n_requests (server), ==, 1);
  g_assert_cmpuint (server_get_n_requests (elsewhere), ==, 0);
  session_clear (&session);
}

/* Moving an account to another host needs --key-stdin or --keep-key;
 * without, nothing changes and the key stays with the first host. */
static void
test_moved_account (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(Server) elsewhere = server_new ();
  g_autofree char *base = g_strconcat (server->url, "/v1", NULL);
  g_autofree char *new_base = g_strconcat (elsewhere->url, "/v1", NULL);
  g_autofree char *same_host = g_strconcat (server->url, "/v2", NULL);
  g_autofree char *accounts = g_build_filename (g_get_user_config_dir (), "confab",
                                                "accounts.json", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  Session session;
  int status;

  session_init (&session);
  add_account (&session, "Work", base);
  g_assert_true (g_file_get_contents (accounts, &before, NULL, NULL));

  out = run (&session, NULL, &status, &err, "accounts", "set", "Work", "--base-url", new_base,
             "--model", "other", NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "--keep-key"));
  g_assert_nonnull (strstr (err, "Nothing was changed"));
  g_assert_true (g_file_get_contents (accounts, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, before);

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  out = run (&session, NULL, &status, &err, "accounts", "set", "Work", "--keep-key",
             "--key-stdin", NULL);
  g_assert_cmpint (status, ==, 2);

  g_clear_pointer (&out, g_free);
  out = run (&session, NULL, &status, NULL, "chat", "where to?", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpuint (server_get_n_requests (server), ==, 1);
  g_assert_cmpuint (server_get_n_requests (elsewhere), ==, 0);

  /* The same host needs no confirmation. */
  g_clear_pointer (&out, g_free);
  out = run (&session, NULL, &status, NULL, "accounts", "set", "Work", "--base-url", same_host,
             NULL);
  g_assert_cmpint (status, ==, 0);

  /* The user's explicit choice: the same key goes along. */
  g_clear_pointer (&out, g_free);
  out = run (&session, NULL, &status, NULL, "accounts", "set", "Work", "--base-url", new_base,
             "--keep-key", NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);
  out = run (&session, NULL, &status, NULL, "chat", "now there", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (server_saw (elsewhere, "Authorization: Bearer " KEY));

  /* Or a new key for the new host: the old one is not sent back there. */
  g_clear_pointer (&out, g_free);
  out = run (&session, NEW_KEY "\n", &status, NULL, "accounts", "set", "Work", "--base-url", base,
             "--key-stdin", NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);
  out = run (&session, NULL, &status, NULL, "chat", "and back", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpuint (server_get_n_requests (server), ==, 2);
  g_assert_true (server_saw (server, "Authorization: Bearer " NEW_KEY));

  assert_no_key_in_files ();
  g_assert_false (confab_test_tree_contains (g_get_user_config_dir (), NEW_KEY));
  session_clear (&session);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/hygiene/outputs-and-files", test_outputs_and_files);
  g_test_add_func ("/hygiene/cmdline", test_cmdline);
  g_test_add_func ("/hygiene/redirect", test_redirect);
  g_test_add_func ("/hygiene/moved-account", test_moved_account);

  return g_test_run ();
}
