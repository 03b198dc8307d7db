/* test-cli.c: confab-cli's public contract, end to end
 *
 * Real processes: confab-cli against the mock provider on loopback, keys
 * in the gnome-keyring-daemon of this test's private D-Bus session.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <signal.h>

#include "confab-test-env.h"

#define TEST_KEY CONFAB_TEST_KEY

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

  out = run (env, TEST_KEY "\n", &status, &err, "accounts", "add", name, "--provider", provider,
             "--base-url", base, "--model", model, "--key-stdin", NULL);
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

/* Parses --events output: every line must be one JSON object. */
static GPtrArray *
parse_events (const char *text)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      JsonNode *node;

      if (lines[i][0] == '\0')
        {
          g_assert_null (lines[i + 1]);
          break;
        }
      node = parse_json (lines[i]);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
      g_ptr_array_add (events, node);
    }
  return events;
}

static const char *
event_type (GPtrArray *events,
            guint      i)
{
  return json_object_get_string_member (json_node_get_object (g_ptr_array_index (events, i)),
                                        "type");
}

static JsonObject *
last_event (GPtrArray *events)
{
  g_assert_cmpuint (events->len, >, 0);
  return json_node_get_object (g_ptr_array_index (events, events->len - 1));
}

static void
test_providers (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_NONE);
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) root = NULL;
  gboolean saw_openai = FALSE, saw_custom = FALSE;
  JsonArray *array;
  int status;

  out = run (env, NULL, &status, NULL, "providers", "--json", NULL);
  g_assert_cmpint (status, ==, 0);
  root = parse_json (out);
  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *provider = json_array_get_object_element (array, i);
      JsonObject *name = json_object_get_object_member (provider, "name");
      const char *id = json_object_get_string_member (provider, "id");

      g_assert_nonnull (json_object_get_string_member (name, "en"));
      g_assert_nonnull (json_object_get_string_member (name, "zh_CN"));
      g_assert_true (json_object_has_member (provider, "needs_key"));
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (provider, "regions")), >, 0);
      if (g_str_equal (id, "openai"))
        {
          saw_openai = TRUE;
          g_assert_cmpstr (json_object_get_string_member (provider, "default_base_url"), ==,
                           "https://api.openai.com/v1");
        }
      if (g_str_equal (id, "custom"))
        saw_custom = TRUE;
    }
  g_assert_true (saw_openai);
  g_assert_true (saw_custom);
}

static void
test_accounts (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *array;
  int status;

  add_mock_account (env, "First", "openai", "echo");
  add_mock_account (env, "Second", "deepseek", "reasoning");

  out = run (env, NULL, &status, NULL, "accounts", "list", "--json", NULL);
  g_assert_cmpint (status, ==, 0);
  root = parse_json (out);
  array = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  /* The first account added is the default. */
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (array, 0), "default"));
  g_assert_false (json_object_get_boolean_member (json_array_get_object_element (array, 1), "default"));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 1), "provider"),
                   ==, "deepseek");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&root, json_node_unref);

  /* Same name twice: a usage error, nothing changes. */
  out = run (env, "k\n", &status, &err, "accounts", "add", "First", "--provider", "openai",
             "--key-stdin", NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_true (g_str_has_prefix (err, "confab-cli: "));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  out = run (env, NULL, &status, &err, "accounts", "add", "X", "--provider", "nope", NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "unknown provider"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A key never comes from argv: a keyed provider without --key-stdin is refused. */
  out = run (env, NULL, &status, &err, "accounts", "add", "NoKey", "--provider", "openai", NULL);
  g_assert_cmpint (status, ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  out = run (env, NULL, &status, NULL, "accounts", "default", "Second", NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);
  out = run (env, NULL, &status, NULL, "accounts", "list", NULL);
  g_assert_nonnull (strstr (out, "* Second"));
  g_clear_pointer (&out, g_free);

  out = run (env, NULL, &status, NULL, "accounts", "remove", "Second", NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);
  out = run (env, NULL, &status, NULL, "accounts", "list", "--json", NULL);
  root = parse_json (out);
  array = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (array, 0), "default"));
  g_clear_pointer (&out, g_free);

  out = run (env, NULL, &status, &err, "accounts", "remove", "Second", NULL);
  g_assert_cmpint (status, ==, 2);
}

static void
test_chat_text (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  add_mock_account (env, "Mock", "custom", "echo");

  /* Exactly as sent, then one newline since the reply did not end in one. */
  out = run (env, NULL, &status, &err, "chat", "Hello, 世界! <b>not markup</b>", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (out, ==, "Hello, 世界! <b>not markup</b>\n");
  /* On stderr, only the id of the conversation it was recorded in. */
  g_assert_true (g_str_has_prefix (err, "conversation: "));
  g_assert_cmpuint (strlen (err), ==, strlen ("conversation: ") + 16 + 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A reply that ends with a newline gets no second one; prompt from stdin. */
  out = run (env, "line one\nline two\n", &status, &err, "chat", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (out, ==, "line one\nline two\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Reasoning goes to stderr, the answer to stdout. */
  out = run (env, NULL, &status, &err, "chat", "--model", "reasoning", "Why?", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_str_has_suffix (out, "Why?\n"));
  g_assert_null (strstr (out, "Thinking"));
  g_assert_nonnull (strstr (err, "Thinking"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  out = run (env, "   \n", &status, &err, "chat", NULL);
  g_assert_cmpint (status, ==, 2);
}

static void
test_chat_events (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autofree char *out = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) reasoning = g_string_new (NULL);
  g_autoptr(GPtrArray) requests = NULL;
  JsonObject *request, *body;
  gboolean saw_usage = FALSE;
  int status;

  add_mock_account (env, "Mock", "custom", "echo");

  out = run (env, NULL, &status, NULL, "chat", "--events", "--model", "reasoning",
             "--system", "Be brief.", "--temperature", "0.5", "--max-tokens", "77",
             "Tell me \"quoted\"\tthings 好", NULL);
  g_assert_cmpint (status, ==, 0);
  events = parse_events (out);
  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *event = json_node_get_object (g_ptr_array_index (events, i));
      const char *type = event_type (events, i);

      if (g_str_equal (type, "text"))
        g_string_append (text, json_object_get_string_member (event, "text"));
      else if (g_str_equal (type, "reasoning"))
        {
          g_assert_cmpuint (text->len, ==, 0);
          g_string_append (reasoning, json_object_get_string_member (event, "text"));
        }
      else if (g_str_equal (type, "usage"))
        {
          saw_usage = TRUE;
          g_assert_cmpint (json_object_get_int_member (event, "input_tokens"), >, 0);
          g_assert_cmpint (json_object_get_int_member (event, "output_tokens"), >, 0);
        }
      else
        g_assert_cmpstr (type, ==, "done");
    }
  g_assert_cmpstr (text->str, ==, "Tell me \"quoted\"\tthings 好");
  g_assert_cmpuint (reasoning->len, >, 0);
  g_assert_true (saw_usage);
  g_assert_cmpstr (event_type (events, events->len - 1), ==, "done");
  g_assert_cmpstr (json_object_get_string_member (last_event (events), "finish_reason"), ==, "stop");

  /* What reached the provider (the mock accepts only TEST_KEY, and records
   * it redacted): the settings in the body. */
  requests = confab_test_env_read_requests (env);
  g_assert_cmpuint (requests->len, ==, 1);
  request = json_node_get_object (g_ptr_array_index (requests, 0));
  g_assert_cmpstr (json_object_get_string_member (request, "path"), ==, "/v1/chat/completions");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (request, "headers"),
                                                  "authorization"), ==, "Bearer <redacted>");
  body = json_object_get_object_member (request, "body");
  g_assert_cmpstr (json_object_get_string_member (body, "model"), ==, "reasoning");
  g_assert_true (json_object_get_boolean_member (body, "stream"));
  g_assert_cmpfloat (json_object_get_double_member (body, "temperature"), ==, 0.5);
  g_assert_cmpint (json_object_get_int_member (body, "max_tokens"), ==, 77);
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (json_object_get_array_member (body, "messages"), 0),
                     "role"), ==, "system");
}

typedef struct
{
  const char *model;
  int         exit_status;
  const char *code;
  guint       http_status;
  const char *message_part;
  gboolean    partial_text;
} ErrorCase;

static const ErrorCase error_cases[] = {
  { "error-401", 3, "auth", 401, "Incorrect API key", FALSE },
  { "error-403-region", 3, "region", 403, "not available in this region", FALSE },
  { "error-429", 6, "rate-limit", 429, "Rate limit", FALSE },
  { "error-quota", 6, "quota", 429, "quota", FALSE },
  { "error-500", 5, "server", 500, "server error", FALSE },
  { "nonexistent-model", 5, "not-found", 404, "does not exist", FALSE },
  { "inband-error", 5, "server", 0, "server error", TRUE },
  { "drop", 4, "network", 0, "before the reply was complete", TRUE },
  { "malformed", 5, "protocol", 0, "malformed", TRUE },
};

static void
test_chat_errors (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);

  add_mock_account (env, "Mock", "openai", "echo");

  for (guint i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      const ErrorCase *ec = &error_cases[i];
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autoptr(GPtrArray) events = NULL;
      JsonObject *error;
      int status;

      g_test_message ("scenario %s", ec->model);

      out = run (env, NULL, &status, &err, "chat", "--events", "--model", ec->model,
                 "some words here", NULL);
      g_assert_cmpint (status, ==, ec->exit_status);
      events = parse_events (out);
      error = last_event (events);
      g_assert_cmpstr (json_object_get_string_member (error, "type"), ==, "error");
      g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, ec->code);
      g_assert_cmpint (json_object_get_int_member (error, "status"), ==, ec->http_status);
      g_test_message ("message: %s", json_object_get_string_member (error, "message"));
      g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), ec->message_part));
      g_assert_null (strstr (out, TEST_KEY));
      g_assert_cmpstr (event_type (events, 0), ==, ec->partial_text ? "text" : "error");
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);

      /* Text mode: one line on stderr, what streamed stays printed. */
      out = run (env, NULL, &status, &err, "chat", "--model", ec->model, "some words here", NULL);
      g_assert_cmpint (status, ==, ec->exit_status);
      g_assert_true (g_str_has_prefix (err, "confab-cli: "));
      g_assert_true (g_str_has_suffix (err, "\n"));
      g_assert_null (strchr (err, '\n') + 1 == err + strlen (err) ? NULL : "two lines");
      g_assert_null (strstr (err, TEST_KEY));
      if (ec->partial_text)
        g_assert_true (g_str_has_prefix (out, "som"));
      else
        g_assert_cmpstr (out, ==, "");
    }
}

/* A 429 that clears is retried; a 429 that does not is given up after two
 * retries, honouring Retry-After. */
static void
test_chat_retries (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autoptr(GPtrArray) requests = NULL;
  g_autofree char *out = NULL;
  int status;

  add_mock_account (env, "Mock", "custom", "echo");

  out = run (env, NULL, &status, NULL, "chat", "--model", "flaky", "retry me please", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (out, ==, "retry me please\n");
  requests = confab_test_env_read_requests (env);
  g_assert_cmpuint (requests->len, ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&requests, g_ptr_array_unref);

  out = run (env, NULL, &status, NULL, "chat", "--model", "error-429", "never", NULL);
  g_assert_cmpint (status, ==, 6);
  requests = confab_test_env_read_requests (env);
  g_assert_cmpuint (requests->len, ==, 2 + 3);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&requests, g_ptr_array_unref);

  /* Quota is not a transient state: no retry. */
  out = run (env, NULL, &status, NULL, "chat", "--model", "error-quota", "never", NULL);
  g_assert_cmpint (status, ==, 6);
  requests = confab_test_env_read_requests (env);
  g_assert_cmpuint (requests->len, ==, 5 + 1);
}

static void
test_failover (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autofree char *out = NULL;
  g_autoptr(GPtrArray) events = NULL;
  JsonObject *failover;
  int status;

  add_mock_account (env, "Blocked", "openai", "error-403-region");
  add_mock_account (env, "Broken", "openai", "error-500");
  add_mock_account (env, "Working", "deepseek", "echo");

  out = run (env, NULL, &status, NULL, "chat", "--events", "--fallback", "Broken,Working",
             "carry on", NULL);
  g_assert_cmpint (status, ==, 0);
  events = parse_events (out);
  g_assert_cmpstr (event_type (events, 0), ==, "failover");
  failover = json_node_get_object (g_ptr_array_index (events, 0));
  g_assert_cmpstr (json_object_get_string_member (failover, "from"), ==, "Blocked");
  g_assert_cmpstr (json_object_get_string_member (failover, "to"), ==, "Broken");
  g_assert_cmpstr (json_object_get_string_member (failover, "reason"), ==, "region");
  failover = json_node_get_object (g_ptr_array_index (events, 1));
  g_assert_cmpstr (json_object_get_string_member (failover, "to"), ==, "Working");
  g_assert_cmpstr (json_object_get_string_member (failover, "reason"), ==, "server");
  g_assert_cmpstr (event_type (events, 2), ==, "text");
  g_assert_cmpstr (event_type (events, events->len - 1), ==, "done");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&events, g_ptr_array_unref);

  /* After text has streamed there is no silent switch. */
  out = run (env, NULL, &status, NULL, "chat", "--events", "--account", "Working",
             "--model", "inband-error", "--fallback", "Blocked", "half an answer", NULL);
  g_assert_cmpint (status, ==, 5);
  events = parse_events (out);
  for (guint i = 0; i < events->len; i++)
    g_assert_cmpstr (event_type (events, i), !=, "failover");
  g_assert_cmpstr (json_object_get_string_member (last_event (events), "type"), ==, "error");
}

/* SIGINT mid-stream: exit 130, and what was printed stays printed. */
static void
test_interrupt (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  char buffer[256];
  gssize n;
  GInputStream *out;

  add_mock_account (env, "Mock", "custom", "slow");

  launcher = confab_test_env_new_cli_launcher (env, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                     G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("CONFAB_CLI"), "chat",
                                         "one two three four five six seven eight nine ten "
                                         "eleven twelve thirteen fourteen fifteen", NULL);
  g_assert_no_error (error);

  out = g_subprocess_get_stdout_pipe (process);
  n = g_input_stream_read (out, buffer, sizeof buffer, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, >, 0);
  g_string_append_len (seen, buffer, n);

  g_subprocess_send_signal (process, SIGINT);
  while ((n = g_input_stream_read (out, buffer, sizeof buffer, NULL, &error)) > 0)
    g_string_append_len (seen, buffer, n);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 130);
  g_assert_true (g_str_has_prefix (seen->str, "one"));
  g_assert_null (strstr (seen->str, "fifteen"));
}

/* --events prints each event as it arrives, not when the reply ends: the
 * first event can be read while the stream is still going, and the rest
 * stays valid NDJSON when it is cut short. */
static void
test_events_live (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  char *line;

  add_mock_account (env, "Mock", "custom", "slow");

  launcher = confab_test_env_new_cli_launcher (env, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                     G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("CONFAB_CLI"), "chat",
                                         "--events",
                                         "one two three four five six seven eight nine ten "
                                         "eleven twelve thirteen fourteen fifteen", NULL);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_string_append_printf (seen, "%s\n", line);
  g_free (line);

  g_subprocess_send_signal (process, SIGINT);
  while ((line = g_data_input_stream_read_line (out, NULL, NULL, &error)) != NULL)
    {
      g_string_append_printf (seen, "%s\n", line);
      g_free (line);
    }
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 130);
  events = parse_events (seen->str);
  g_assert_cmpstr (event_type (events, 0), ==, "text");
  g_assert_cmpstr (event_type (events, events->len - 1), ==, "error");
  g_assert_null (strstr (seen->str, "fifteen"));
}

/* After adding an account and chatting, the key is nowhere on disk. */
static void
test_key_not_in_files (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autofree char *out = NULL;
  int status;

  add_mock_account (env, "Mock", "custom", "echo");
  out = run (env, NULL, &status, NULL, "chat", "is the key safe?", NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);
  out = run (env, NULL, &status, NULL, "chat", "--model", "error-401", "and now?", NULL);
  g_assert_cmpint (status, ==, 3);

  g_assert_true (g_file_test (g_get_user_config_dir (), G_FILE_TEST_IS_DIR));
  g_assert_false (confab_test_tree_contains (g_get_user_config_dir (), TEST_KEY));
  g_assert_false (confab_test_tree_contains (g_get_user_data_dir (), TEST_KEY));
  g_assert_false (confab_test_tree_contains (g_get_user_cache_dir (), TEST_KEY) &&
                  !confab_test_tree_contains (env->record_path, TEST_KEY));
  g_assert_false (confab_test_tree_contains (g_get_user_state_dir (), TEST_KEY));
}

/* No keyring: exit 7 with a clear message, and no key written anywhere. */
static void
test_no_keyring (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_NONE);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *accounts = g_build_filename (g_get_user_config_dir (), "confab",
                                                "accounts.json", NULL);
  int status;

  env->cli_env = g_strsplit ("DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/confab-bus", ";", -1);
  out = run (env, TEST_KEY "\n", &status, &err, "accounts", "add", "Work", "--provider",
             "openai", "--key-stdin", NULL);
  g_assert_cmpint (status, ==, 7);
  g_assert_true (g_str_has_prefix (err, "confab-cli: No keyring is available"));
  g_assert_null (strstr (err, TEST_KEY));
  g_assert_false (g_file_test (accounts, G_FILE_TEST_EXISTS));
  g_assert_false (confab_test_tree_contains (g_get_home_dir (), TEST_KEY));
  g_assert_false (confab_test_tree_contains (g_get_user_config_dir (), TEST_KEY));
  g_assert_false (confab_test_tree_contains (g_get_user_data_dir (), TEST_KEY));
}

static void
test_usage (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_NONE);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  out = run (env, NULL, &status, &err, NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "confab-cli chat"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  out = run (env, NULL, &status, &err, "chat", "--temperature", "7", "x", NULL);
  g_assert_cmpint (status, ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  out = run (env, NULL, &status, &err, "chat", "x", NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "accounts add"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  out = run (env, NULL, &status, &err, "frobnicate", NULL);
  g_assert_cmpint (status, ==, 2);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/cli/usage", test_usage);
  g_test_add_func ("/cli/providers", test_providers);
  g_test_add_func ("/cli/accounts", test_accounts);
  g_test_add_func ("/cli/chat/text", test_chat_text);
  g_test_add_func ("/cli/chat/events", test_chat_events);
  g_test_add_func ("/cli/chat/errors", test_chat_errors);
  g_test_add_func ("/cli/chat/retries", test_chat_retries);
  g_test_add_func ("/cli/chat/failover", test_failover);
  g_test_add_func ("/cli/chat/interrupt", test_interrupt);
  g_test_add_func ("/cli/chat/events-live", test_events_live);
  g_test_add_func ("/cli/secrets/key-not-in-files", test_key_not_in_files);
  g_test_add_func ("/cli/secrets/no-keyring", test_no_keyring);

  return g_test_run ();
}
