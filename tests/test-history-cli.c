/* test-history-cli.c: conversations that are never lost, end to end
 *
 * Real confab-cli processes against the mock provider on loopback: what
 * each turn sends, kill -9 in the middle of a reply, two processes
 * writing at once, export and import, and a data directory that cannot
 * be written or a disk that is full.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/resource.h>

#include "confab-test-env.h"

#define SLOW_MS 100

/* Helpers */

static char *
run (ConfabTestEnv *env,
     const char    *input,
     int           *status,
     char         **err,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  va_start (ap, err);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (char *)arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  return confab_test_env_run_cliv (env, input, (const char * const *)args->pdata, status, err);
}

static void
add_mock_account (ConfabTestEnv *env,
                  const char    *name,
                  const char    *provider,
                  const char    *model)
{
  g_autofree char *base = g_strconcat (env->mock_url, "/v1", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  out = run (env, CONFAB_TEST_KEY "\n", &status, &err, "accounts", "add", name, "--provider",
             provider, "--base-url", base, "--model", model, "--key-stdin", NULL);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpint (status, ==, 0);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

/* Runs a chat that must succeed; returns the conversation id it reports. */
static char *
chat (ConfabTestEnv *env,
      const char    *prompt,
      ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *arg;
  const char *line;
  va_list ap;
  int status;

  g_ptr_array_add (args, (char *)"chat");
  va_start (ap, prompt);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (char *)arg);
  va_end (ap);
  g_ptr_array_add (args, (char *)prompt);
  g_ptr_array_add (args, NULL);

  out = confab_test_env_run_cliv (env, NULL, (const char * const *)args->pdata, &status, &err);
  g_test_message ("chat %s: %d %s", prompt, status, err);
  g_assert_cmpint (status, ==, 0);
  line = strstr (err, "conversation: ");
  g_assert_nonnull (line);
  /* The last line of stderr, after any reasoning. */
  g_assert_cmpuint (strlen (line), ==, strlen ("conversation: ") + 16 + 1);
  g_assert_true (g_str_has_suffix (err, "\n"));
  return g_strndup (line + strlen ("conversation: "), 16);
}

/* "history show ID --json" */
static JsonObject *
show (ConfabTestEnv *env,
      const char    *id)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) node = NULL;
  int status;

  out = run (env, NULL, &status, NULL, "history", "show", id, "--json", NULL);
  g_assert_cmpint (status, ==, 0);
  node = parse_json (out);
  return json_object_ref (json_node_get_object (node));
}

static JsonObject *
message_at (JsonObject *conversation,
            guint       index)
{
  JsonArray *messages = json_object_get_array_member (conversation, "messages");

  g_assert_cmpuint (index, <, json_array_get_length (messages));
  return json_array_get_object_element (messages, index);
}

/* The "messages" the provider received in request @index. */
static JsonArray *
sent_messages (GPtrArray *requests,
               guint      index)
{
  JsonObject *request;

  g_assert_cmpuint (index, <, requests->len);
  request = json_node_get_object (g_ptr_array_index (requests, index));
  return json_object_get_array_member (json_object_get_object_member (request, "body"),
                                       "messages");
}

static void
assert_sent (JsonArray          *messages,
             const char * const *expected)
{
  guint n = g_strv_length ((char **)expected) / 2;

  g_assert_cmpuint (json_array_get_length (messages), ==, n);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);

      g_assert_cmpstr (json_object_get_string_member (message, "role"), ==, expected[2 * i]);
      g_assert_cmpstr (json_object_get_string_member (message, "content"), ==,
                       expected[2 * i + 1]);
    }
}

static char *
history_path (const char *data_dir)
{
  return g_build_filename (data_dir ? data_dir : g_get_user_data_dir (), "confab", "history.db",
                           NULL);
}

/* A read-only look with plain SQLite, which runs no recovery. */
static char *
query_text (const char *sql)
{
  g_autofree char *path = history_path (NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;
  int rc;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  rc = sqlite3_step (stmt);
  g_assert_true (rc == SQLITE_ROW || rc == SQLITE_DONE);
  if (rc == SQLITE_ROW)
    value = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/* Everything in the history as JSON, minus the time of the export. */
static char *
export_all (ConfabTestEnv *env)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) root = NULL;
  int status;

  out = run (env, NULL, &status, NULL, "history", "export", "--all", "--format", "json", NULL);
  g_assert_cmpint (status, ==, 0);
  root = parse_json (out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "format"), ==,
                   "confab-history");
  json_object_remove_member (json_node_get_object (root), "exported");
  return json_to_string (root, TRUE);
}

static guint
count_words (const char *text)
{
  g_auto(GStrv) words = g_strsplit_set (text, " ", -1);
  guint n = 0;

  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0')
      n++;
  return n;
}

static char *
long_prompt (guint n_words)
{
  GString *prompt = g_string_new (NULL);

  for (guint i = 0; i < n_words; i++)
    g_string_append_printf (prompt, "%sword%u", i ? " " : "", i);
  return g_string_free (prompt, FALSE);
}

/* Multi-turn context */

static void
test_multi_turn (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(JsonObject) conversation = NULL;
  g_autofree char *id = NULL;
  g_autofree char *again = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *body = NULL;
  g_autoptr(JsonNode) done = NULL;
  int status;

  add_mock_account (env, "Mock", "custom", "echo");

  id = chat (env, "第一个问题：北京烤鸭怎么做？", "--system", "Answer in Chinese.", NULL);
  again = chat (env, "second question", "--conversation", id, NULL);
  g_assert_cmpstr (again, ==, id);
  g_clear_pointer (&again, g_free);
  again = chat (env, "third, with reasoning", "--continue", "--model", "reasoning", NULL);
  g_assert_cmpstr (again, ==, id);
  g_clear_pointer (&again, g_free);

  /* A failed reply is recorded, and never sent back. */
  out = run (env, NULL, &status, &err, "chat", "--continue", "--model", "error-401",
             "this one fails", NULL);
  g_assert_cmpint (status, ==, 3);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* --events: the id is in the done event. */
  out = run (env, NULL, &status, &err, "chat", "--continue", "--events", "--model", "echo",
             "fourth", NULL);
  g_assert_cmpint (status, ==, 0);
  done = parse_json (strrchr (g_strchomp (out), '\n') + 1);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (done), "type"), ==,
                   "done");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (done), "conversation"),
                   ==, id);

  requests = confab_test_env_read_requests (env);
  g_assert_cmpuint (requests->len, ==, 5);
  assert_sent (sent_messages (requests, 0), (const char *[]) {
    "system", "Answer in Chinese.", "user", "第一个问题：北京烤鸭怎么做？", NULL });
  assert_sent (sent_messages (requests, 1), (const char *[]) {
    "system", "Answer in Chinese.",
    "user", "第一个问题：北京烤鸭怎么做？", "assistant", "第一个问题：北京烤鸭怎么做？",
    "user", "second question", NULL });
  /* No reasoning in what goes back, no failed reply. */
  assert_sent (sent_messages (requests, 4), (const char *[]) {
    "system", "Answer in Chinese.",
    "user", "第一个问题：北京烤鸭怎么做？", "assistant", "第一个问题：北京烤鸭怎么做？",
    "user", "second question", "assistant", "second question",
    "user", "third, with reasoning", "assistant", "third, with reasoning",
    "user", "this one fails",
    "user", "fourth", NULL });
  body = json_to_string (g_ptr_array_index (requests, 4), FALSE);
  g_assert_null (strstr (body, "Thinking"));

  /* …but the reasoning is kept, and so is the failure. */
  conversation = show (env, id);
  g_assert_cmpstr (json_object_get_string_member (conversation, "title"), ==,
                   "第一个问题：北京烤鸭怎么做？");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (conversation,
                                                                          "messages")), ==, 10);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (message_at (conversation, 5),
                                                                  "reasoning"), "Thinking"));
  g_assert_cmpstr (json_object_get_string_member (message_at (conversation, 7), "state"), ==,
                   "failed");
  g_assert_cmpstr (json_object_get_string_member (message_at (conversation, 7), "error_code"),
                   ==, "auth");
  g_assert_cmpstr (json_object_get_string_member (message_at (conversation, 9), "state"), ==,
                   "complete");
}

static void
test_continue_errors (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autoptr(GPtrArray) requests = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *id = NULL;
  int status;

  add_mock_account (env, "Mock", "custom", "echo");

  out = run (env, NULL, &status, &err, "chat", "--continue", "nothing yet", NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "no conversation to continue"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  id = chat (env, "hello", NULL);
  out = run (env, NULL, &status, &err, "chat", "--conversation", "0123456789abcdef", "x", NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "0123456789abcdef"));
  g_assert_nonnull (strstr (err, "history list"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  out = run (env, NULL, &status, &err, "chat", "--conversation", id, "--continue", "x", NULL);
  g_assert_cmpint (status, ==, 2);

  /* None of these reached the provider. */
  requests = confab_test_env_read_requests (env);
  g_assert_cmpuint (requests->len, ==, 1);
}

/* A stopped reply keeps its text, is marked cancelled, and is not sent
 * back either. */
static void
test_interrupt (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(JsonObject) conversation = NULL;
  g_autofree char *id = NULL;
  g_autofree char *again = NULL;
  g_autofree char *prompt = long_prompt (30);
  char buffer[64];

  add_mock_account (env, "Mock", "custom", "echo");
  id = chat (env, "first", NULL);

  launcher = confab_test_env_new_cli_launcher (env, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                     G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("CONFAB_CLI"), "chat",
                                         "--continue", "--model", "slow", prompt, NULL);
  g_assert_no_error (error);
  g_assert_cmpint (g_input_stream_read (g_subprocess_get_stdout_pipe (process), buffer,
                                        sizeof buffer, NULL, &error), >, 0);
  g_subprocess_send_signal (process, SIGINT);
  g_subprocess_wait (process, NULL, &error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 130);

  conversation = show (env, id);
  g_assert_cmpstr (json_object_get_string_member (message_at (conversation, 3), "state"), ==,
                   "cancelled");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (message_at (conversation, 3),
                                                                  "text"), "word0"));

  again = chat (env, "after the stop", "--continue", "--model", "echo", NULL);
  requests = confab_test_env_read_requests (env);
  assert_sent (sent_messages (requests, requests->len - 1), (const char *[]) {
    "user", "first", "assistant", "first", "user", prompt, "user", "after the stop", NULL });
}

/* The answer comes from a fallback account: the reply records that one. */
static void
test_failover_records_account (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autoptr(JsonNode) accounts = NULL;
  g_autoptr(JsonObject) conversation = NULL;
  g_autofree char *out = NULL;
  g_autofree char *id = NULL;
  const char *working_id = NULL;
  JsonObject *reply;
  JsonArray *array;
  int status;

  add_mock_account (env, "Blocked", "openai", "error-403-region");
  add_mock_account (env, "Working", "deepseek", "echo");
  out = run (env, NULL, &status, NULL, "accounts", "list", "--json", NULL);
  accounts = parse_json (out);
  array = json_node_get_array (accounts);
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (array, i),
                                                    "name"), "Working"))
      working_id = json_object_get_string_member (json_array_get_object_element (array, i), "id");
  g_assert_nonnull (working_id);

  id = chat (env, "carry on", "--account", "Blocked", "--fallback", "Working", NULL);
  conversation = show (env, id);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (conversation,
                                                                          "messages")), ==, 2);
  reply = message_at (conversation, 1);
  g_assert_cmpstr (json_object_get_string_member (reply, "state"), ==, "complete");
  g_assert_cmpstr (json_object_get_string_member (reply, "text"), ==, "carry on");
  g_assert_cmpstr (json_object_get_string_member (reply, "account"), ==, working_id);
  g_assert_cmpstr (json_object_get_string_member (reply, "provider"), ==, "deepseek");
  g_assert_cmpstr (json_object_get_string_member (reply, "model"), ==, "echo");
  g_assert_true (json_object_get_null_member (reply, "error_code"));
}

/* Crash safety */

typedef struct
{
  GSubprocess *process;
  GString     *seen;
} Streaming;

/* Starts a slow chat and reads its output for about @ms. */
static void
stream_for (ConfabTestEnv *env,
            Streaming     *streaming,
            const char    *prompt,
            guint          ms)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *model = g_strdup_printf ("slow-%u", SLOW_MS);
  gint64 start = 0;
  char buffer[256];
  gssize n;

  launcher = confab_test_env_new_cli_launcher (env, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                     G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  streaming->process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("CONFAB_CLI"),
                                                    "chat", "--model", model, prompt, NULL);
  g_assert_no_error (error);
  streaming->seen = g_string_new (NULL);

  while (start == 0 || g_get_monotonic_time () - start < ms * 1000)
    {
      n = g_input_stream_read (g_subprocess_get_stdout_pipe (streaming->process), buffer,
                               sizeof buffer, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      g_string_append_len (streaming->seen, buffer, n);
      if (start == 0)
        start = g_get_monotonic_time ();
    }
}

static void
stream_finish (Streaming *streaming)
{
  g_autoptr(GError) error = NULL;
  char buffer[256];
  gssize n;

  while ((n = g_input_stream_read (g_subprocess_get_stdout_pipe (streaming->process), buffer,
                                   sizeof buffer, NULL, &error)) > 0)
    g_string_append_len (streaming->seen, buffer, n);
  g_subprocess_wait (streaming->process, NULL, &error);
  g_assert_no_error (error);
}

/* Whether the reply's text is in the full-text index, as a search for a
 * word of it finds it: "0" or "1". */
#define REPLY_MATCHES_WORD0 \
  "SELECT count(*) FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid " \
  "WHERE messages_fts MATCH '\"word0\"' AND m.role = 'assistant'"

static void
test_kill_mid_stream (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autofree char *prompt = long_prompt (120);
  g_autofree char *state = NULL;
  g_autofree char *indexed = NULL;
  g_autofree char *id = NULL;
  g_autofree char *integrity = NULL;
  g_autoptr(JsonObject) conversation = NULL;
  Streaming streaming = { NULL, NULL };
  const char *saved;
  guint lost;

  add_mock_account (env, "Mock", "custom", "echo");

  stream_for (env, &streaming, prompt, 2500);
  g_subprocess_force_exit (streaming.process);
  stream_finish (&streaming);
  g_assert_true (g_subprocess_get_if_signaled (streaming.process));
  g_assert_cmpint (g_subprocess_get_term_sig (streaming.process), ==, SIGKILL);
  g_clear_object (&streaming.process);

  /* As the crash left it: still "streaming", not yet in the full-text
   * index. */
  state = query_text ("SELECT state FROM messages WHERE role = 'assistant'");
  g_assert_cmpstr (state, ==, "streaming");
  id = query_text ("SELECT id FROM conversations");
  indexed = query_text (REPLY_MATCHES_WORD0);
  g_assert_cmpstr (indexed, ==, "0");
  g_clear_pointer (&indexed, g_free);

  /* The next start of any Confab program marks it interrupted. */
  conversation = show (env, id);
  g_assert_cmpstr (json_object_get_string_member (message_at (conversation, 0), "text"), ==,
                   prompt);
  g_assert_cmpstr (json_object_get_string_member (message_at (conversation, 1), "state"), ==,
                   "interrupted");
  saved = json_object_get_string_member (message_at (conversation, 1), "text");
  g_test_message ("printed %u words, saved %u", count_words (streaming.seen->str),
                  count_words (saved));
  g_assert_true (g_str_has_prefix (streaming.seen->str, saved));
  g_assert_cmpuint (count_words (saved), >, 0);
  /* The repaired reply is found by search. */
  indexed = query_text (REPLY_MATCHES_WORD0);
  g_assert_cmpstr (indexed, ==, "1");
  /* At most about a second lost: the words of 1.5 s at one per SLOW_MS. */
  lost = count_words (streaming.seen->str) - count_words (saved);
  g_assert_cmpuint (lost, <=, 1500 / SLOW_MS);

  integrity = query_text ("PRAGMA integrity_check");
  g_assert_cmpstr (integrity, ==, "ok");
  g_string_free (streaming.seen, TRUE);
}

/* Another process starting while a reply streams leaves that reply alone. */
static void
test_live_stream_not_recovered (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autofree char *prompt = long_prompt (25);
  g_autofree char *out = NULL;
  g_autofree char *state = NULL;
  Streaming streaming = { NULL, NULL };
  int status;

  add_mock_account (env, "Mock", "custom", "echo");

  stream_for (env, &streaming, prompt, 800);
  out = run (env, NULL, &status, NULL, "history", "list", NULL);
  g_assert_cmpint (status, ==, 0);
  state = query_text ("SELECT state FROM messages WHERE role = 'assistant'");
  g_assert_cmpstr (state, ==, "streaming");
  g_clear_pointer (&state, g_free);

  stream_finish (&streaming);
  g_assert_cmpint (g_subprocess_get_exit_status (streaming.process), ==, 0);
  g_clear_object (&streaming.process);
  state = query_text ("SELECT state FROM messages WHERE role = 'assistant'");
  g_assert_cmpstr (state, ==, "complete");
  g_string_free (streaming.seen, TRUE);
}

/* Two processes chatting at once, each reply streaming and flushing
 * while the other writes: nothing is lost. */
static void
test_two_processes (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) a = NULL;
  g_autoptr(GSubprocess) b = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *n_conversations = NULL;
  g_autofree char *n_complete = NULL;
  g_autofree char *n_texts = NULL;
  const char *script =
    "for i in 1 2 3 4 5 6; do "
    "  err=$(\"$CONFAB_CLI\" chat --model slow-60 \"process $0 turn $i with a few more words\" "
    "    2>&1 >/dev/null) || { echo \"process $0 turn $i: $err\" >&2; exit 1; }; "
    "done";

  add_mock_account (env, "Mock", "custom", "echo");

  launcher = confab_test_env_new_cli_launcher (env, G_SUBPROCESS_FLAGS_NONE);
  a = g_subprocess_launcher_spawn (launcher, &error, "sh", "-c", script, "A", NULL);
  g_assert_no_error (error);
  b = g_subprocess_launcher_spawn (launcher, &error, "sh", "-c", script, "B", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (a, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (b, NULL, &error));
  g_assert_no_error (error);

  n_conversations = query_text ("SELECT count(*) FROM conversations");
  g_assert_cmpstr (n_conversations, ==, "12");
  n_complete = query_text ("SELECT count(*) FROM messages WHERE role = 'assistant' "
                           "AND state = 'complete' AND text LIKE 'process _ turn _ with a few "
                           "more words'");
  g_assert_cmpstr (n_complete, ==, "12");
  n_texts = query_text ("SELECT count(DISTINCT text) FROM messages WHERE role = 'user'");
  g_assert_cmpstr (n_texts, ==, "12");
}

/* Export and import */

static char *
write_temp (const char *name,
            const char *contents)
{
  char *path = g_build_filename (g_get_user_cache_dir (), name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

static void
test_export_import (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autofree char *other = g_build_filename (g_get_user_data_dir (), "other", NULL);
  g_autofree char *other_env = g_strconcat ("XDG_DATA_HOME=", other, NULL);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *file = NULL;
  g_autofree char *one_file = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  add_mock_account (env, "Mock", "custom", "echo");
  first = chat (env, "导出测试 one", "--system", "系统提示", "--temperature", "0.3", NULL);
  g_free (chat (env, "a second turn", "--continue", "--model", "reasoning", NULL));
  second = chat (env, "another conversation", "--max-tokens", "99", NULL);
  out = run (env, NULL, &status, NULL, "chat", "--model", "error-401", "fails", NULL);
  g_clear_pointer (&out, g_free);
  out = run (env, NULL, &status, NULL, "history", "rename", second, "改过的标题", NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);

  before = export_all (env);
  out = run (env, NULL, &status, NULL, "history", "export", "--all", "--format", "json", NULL);
  file = write_temp ("all.json", out);
  g_clear_pointer (&out, g_free);

  /* Into an empty history: the same conversations, exactly. */
  env->cli_env = g_strsplit (other_env, ";", -1);
  out = run (env, NULL, &status, &err, "history", "import", file, NULL);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (out, ==, "imported 3, skipped 0 already in the history\n");
  g_clear_pointer (&out, g_free);
  after = export_all (env);
  g_assert_cmpstr (after, ==, before);

  /* Again: nothing overwritten, every one counted. */
  out = run (env, NULL, &status, NULL, "history", "import", file, NULL);
  g_assert_cmpstr (out, ==, "imported 0, skipped 3 already in the history\n");
  g_clear_pointer (&out, g_free);

  /* One conversation, from standard input. */
  g_clear_pointer (&env->cli_env, g_strfreev);
  out = run (env, NULL, &status, NULL, "history", "export", first, "--format", "json", NULL);
  g_assert_cmpint (status, ==, 0);
  one_file = g_strdup (out);
  g_clear_pointer (&out, g_free);
  out = run (env, one_file, &status, NULL, "history", "import", "-", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (out, ==, "imported 0, skipped 1 already in the history\n");
  g_clear_pointer (&out, g_free);

  /* Markdown, for reading. */
  out = run (env, NULL, &status, NULL, "history", "export", first, "--format", "markdown", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_str_has_prefix (out, "# 导出测试 one\n"));
  g_assert_nonnull (strstr (out, "系统提示"));
  g_assert_nonnull (strstr (out, "## User"));
  g_assert_nonnull (strstr (out, "a second turn"));
  g_assert_nonnull (strstr (out, "Thinking about it"));
  g_clear_pointer (&out, g_free);

  out = run (env, NULL, &status, NULL, "history", "export", "--all", "--format", "markdown",
             NULL);
  g_assert_cmpint (status, ==, 2);
}

static void
test_import_refused (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autofree char *before = NULL;
  g_autofree char *good = NULL;
  g_autofree char *id = NULL;
  const char *cases[][2] = {
    { "truncated.json", NULL },
    { "chatgpt.json", "[{\"title\": \"Chat\", \"create_time\": 1700000000.1, \"mapping\": {}}]" },
    { "future.json", "{\"format\": \"confab-history\", \"version\": 7, \"conversations\": []}" },
    { "binary.json", "\x89PNG\r\n\x1a\n" },
    { "missing.json", "{\"format\": \"confab-history\", \"version\": 1, \"conversations\": "
                      "[{\"id\": \"00000000000000aa\", \"title\": \"new\", "
                      "\"created\": \"2025-01-01T00:00:00Z\", \"updated\": \"2025-01-01T00:00:00Z\", "
                      "\"messages\": []}, {\"id\": \"00000000000000bb\"}]}" },
  };

  add_mock_account (env, "Mock", "custom", "echo");
  id = chat (env, "keep me", NULL);
  before = export_all (env);
  good = g_strdup (before);
  /* Cut in the middle, as a failed download would. */
  good[strlen (good) / 2] = '\0';
  cases[0][1] = good;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *file = write_temp (cases[i][0], cases[i][1]);
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *after = NULL;
      int status;

      out = run (env, NULL, &status, &err, "history", "import", file, NULL);
      g_test_message ("%s: %s", cases[i][0], err);
      g_assert_cmpint (status, ==, 2);
      g_assert_cmpstr (out, ==, "");
      g_assert_true (g_str_has_prefix (err, "confab-cli: Not a valid Confab history export: "));
      g_assert_true (g_str_has_suffix (err, "Nothing was imported.\n"));
      after = export_all (env);
      g_assert_cmpstr (after, ==, before);
    }

  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status;

    out = run (env, NULL, &status, &err, "history", "import", "/nonexistent/export.json", NULL);
    g_assert_cmpint (status, ==, 2);
    g_assert_nonnull (strstr (err, "Nothing was imported"));
  }
}

/* Unwritable, full and damaged */

static void
test_data_dir_is_a_file (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autoptr(GPtrArray) requests = NULL;
  g_autofree char *blocker = g_build_filename (g_get_user_data_dir (), "confab", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  add_mock_account (env, "Mock", "custom", "echo");
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (blocker, "in the way", -1, NULL));

  out = run (env, NULL, &status, &err, "history", "list", NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_true (g_str_has_prefix (err, "confab-cli: Cannot create the folder"));
  g_assert_nonnull (strstr (err, "Not a directory"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Nothing is sent that could not be kept. */
  out = run (env, NULL, &status, &err, "chat", "hello?", NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_true (g_str_has_prefix (err, "confab-cli: nothing was sent: Cannot create the folder"));
  g_assert_cmpstr (out, ==, "");
  requests = confab_test_env_read_requests (env);
  g_assert_cmpuint (requests->len, ==, 0);
}

static void
test_damaged_file (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autofree char *path = history_path (NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *after = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char garbage[] = "This is not SQLite. It is someone's diary, and it must survive.";
  gsize length;
  int status;

  add_mock_account (env, "Mock", "custom", "echo");
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, garbage, -1, NULL));

  out = run (env, NULL, &status, &err, "history", "list", NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "is damaged"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  out = run (env, NULL, &status, &err, "chat", "hello?", NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "nothing was sent"));

  g_assert_true (g_file_get_contents (path, &after, &length, NULL));
  g_assert_cmpmem (after, length, garbage, sizeof garbage - 1);
}

/* The child cannot write files past @user_data bytes: a full disk that
 * even root cannot write through. */
static void
limit_file_size (gpointer user_data)
{
  struct rlimit limit = { GPOINTER_TO_SIZE (user_data), GPOINTER_TO_SIZE (user_data) };

  signal (SIGXFSZ, SIG_IGN);
  setrlimit (RLIMIT_FSIZE, &limit);
}

static void
test_disk_full (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) big = g_string_new (NULL);
  g_autofree char *path = history_path (NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *file = NULL;
  g_autofree char *err = NULL;
  g_autofree char *integrity = NULL;
  GStatBuf st;

  add_mock_account (env, "Mock", "custom", "echo");
  g_free (chat (env, "before the disk filled up", NULL));
  before = export_all (env);

  /* About 3 MB of new conversations. */
  g_string_append (big, "{\"format\": \"confab-history\", \"version\": 1, \"conversations\": [");
  for (guint i = 0; i < 300; i++)
    {
      g_string_append_printf (big, "%s{\"id\": \"%016x\", \"title\": \"filler %u\", "
                              "\"created\": \"2025-01-01T00:00:00Z\", "
                              "\"updated\": \"2025-01-01T00:00:00Z\", \"messages\": [",
                              i ? ", " : "", 0xf000 + i, i);
      for (guint j = 0; j < 10; j++)
        {
          g_string_append_printf (big, "%s{\"role\": \"user\", \"state\": \"complete\", "
                                  "\"created\": \"2025-01-01T00:00:00Z\", \"text\": \"",
                                  j ? ", " : "");
          for (guint k = 0; k < 100; k++)
            g_string_append (big, "填满磁盘 ");
          g_string_append (big, "\"}");
        }
      g_string_append (big, "]}");
    }
  g_string_append (big, "]}");
  file = write_temp ("big.json", big->str);

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  launcher = confab_test_env_new_cli_launcher (env, G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                     G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, limit_file_size,
                                         GSIZE_TO_POINTER (st.st_size + 256 * 1024), NULL);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("CONFAB_CLI"), "history",
                                         "import", file, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_test_message ("%s", err);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);
  g_assert_nonnull (strstr (err, "is full"));

  /* All or nothing, and intact. */
  after = export_all (env);
  g_assert_cmpstr (after, ==, before);
  integrity = query_text ("PRAGMA integrity_check");
  g_assert_cmpstr (integrity, ==, "ok");
}

/* The other commands */

static void
test_commands (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) hits = NULL;
  g_autofree char *duck = NULL;
  g_autofree char *other = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *line = NULL;
  JsonObject *hit;
  int status;

  add_mock_account (env, "Mock", "custom", "echo");
  duck = chat (env, "我今天中午吃了北京烤鸭\n很好吃", NULL);
  other = chat (env, "How do I roast a Peking duck?", NULL);

  /* list: most recent first */
  out = run (env, NULL, &status, NULL, "history", "list", NULL);
  g_assert_cmpint (status, ==, 0);
  line = g_strdup_printf ("%s  ", other);
  g_assert_true (g_str_has_prefix (out, line));
  g_assert_nonnull (strstr (out, "  我今天中午吃了北京烤鸭\n"));
  g_clear_pointer (&out, g_free);
  out = run (env, NULL, &status, NULL, "history", "list", "--json", NULL);
  list = parse_json (out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                     json_node_get_array (list), 1), "id"), ==, duck);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                     json_node_get_array (list), 1), "model"), ==, "echo");
  g_clear_pointer (&out, g_free);

  /* search: two characters, then more, highlighted */
  out = run (env, NULL, &status, NULL, "history", "search", "烤鸭", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_str_has_prefix (out, duck));
  g_assert_nonnull (strstr (out, "**烤鸭**"));
  g_clear_pointer (&out, g_free);
  out = run (env, NULL, &status, NULL, "history", "search", "北京烤鸭", "--json", NULL);
  hits = parse_json (out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (hits)), ==, 1);
  hit = json_array_get_object_element (json_node_get_array (hits), 0);
  g_assert_cmpstr (json_object_get_string_member (hit, "id"), ==, duck);
  g_assert_nonnull (strstr (json_object_get_string_member (hit, "snippet"), "**北京烤鸭**"));
  g_clear_pointer (&out, g_free);
  out = run (env, NULL, &status, NULL, "history", "search", "peking", "duck", NULL);
  g_assert_true (g_str_has_prefix (out, other));
  g_clear_pointer (&out, g_free);
  out = run (env, NULL, &status, NULL, "history", "search", "火锅", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);

  /* show: Markdown by default */
  out = run (env, NULL, &status, NULL, "history", "show", duck, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_str_has_prefix (out, "# 我今天中午吃了北京烤鸭\n"));
  g_assert_nonnull (strstr (out, "## Assistant · echo"));
  g_clear_pointer (&out, g_free);

  /* rename, delete */
  out = run (env, NULL, &status, &err, "history", "rename", duck, "   ", NULL);
  g_assert_cmpint (status, ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  out = run (env, NULL, &status, NULL, "history", "rename", duck, "烤鸭\n午饭", NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);
  out = run (env, NULL, &status, NULL, "history", "search", "午饭", NULL);
  g_assert_nonnull (strstr (out, "烤鸭 午饭"));
  g_clear_pointer (&out, g_free);
  out = run (env, NULL, &status, NULL, "history", "delete", other, NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);
  out = run (env, NULL, &status, &err, "history", "delete", other, NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, other));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  out = run (env, NULL, &status, &err, "history", "show", other, NULL);
  g_assert_cmpint (status, ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* usage */
  out = run (env, NULL, &status, &err, "history", NULL);
  g_assert_cmpint (status, ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  out = run (env, NULL, &status, &err, "history", "frobnicate", NULL);
  g_assert_cmpint (status, ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  out = run (env, NULL, &status, &err, "history", "search", NULL);
  g_assert_cmpint (status, ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  out = run (env, NULL, &status, &err, "history", "export", duck, "--format", "pdf", NULL);
  g_assert_cmpint (status, ==, 2);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/history-cli/context/multi-turn", test_multi_turn);
  g_test_add_func ("/history-cli/context/errors", test_continue_errors);
  g_test_add_func ("/history-cli/context/interrupt", test_interrupt);
  g_test_add_func ("/history-cli/context/failover", test_failover_records_account);
  g_test_add_func ("/history-cli/crash/kill-9", test_kill_mid_stream);
  g_test_add_func ("/history-cli/crash/live-stream", test_live_stream_not_recovered);
  g_test_add_func ("/history-cli/crash/two-processes", test_two_processes);
  g_test_add_func ("/history-cli/export-import/round-trip", test_export_import);
  g_test_add_func ("/history-cli/export-import/refused", test_import_refused);
  g_test_add_func ("/history-cli/errors/data-dir-is-a-file", test_data_dir_is_a_file);
  g_test_add_func ("/history-cli/errors/damaged-file", test_damaged_file);
  g_test_add_func ("/history-cli/errors/disk-full", test_disk_full);
  g_test_add_func ("/history-cli/commands", test_commands);

  return g_test_run ();
}
