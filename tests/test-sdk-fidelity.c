/* test-sdk-fidelity.c: the official SDKs and confab-cli read the same thing
 *
 * Each case streams one scenario from the mock provider twice: through
 * the provider's official npm SDK (tests/sdk/stream.mjs) and through
 * confab-cli chat --events. Both print the same event vocabulary; the
 * text, reasoning, usage and outcome must agree. This proves the mock
 * speaks the real wire format, so every other test against it means
 * something. Besides replies and HTTP errors, the scenarios include the
 * broken streams (a dropped connection, a malformed event), rate limit
 * and quota, a paced stream and a multi-megabyte reply, on every protocol.
 * Where an SDK and confab legitimately differ, the Scenario entry says
 * what is compared instead.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "confab-test-env.h"

typedef struct
{
  const char *protocol;      /* stream.mjs protocol */
  const char *provider;      /* confab provider id */
  const char *base_suffix;   /* appended to the mock URL for confab */
  const char *sdk_suffix;    /* … and for the SDK */
  gboolean    per_deployment; /* Azure: the scenario is the deployment */
  gboolean    no_reasoning;  /* confab does not ask this protocol to think */
} Protocol;

static const Protocol protocols[] = {
  { "openai", "custom", "/v1", "/v1", FALSE, FALSE },
  { "azure", "azure", "", "", TRUE, FALSE },
  { "anthropic", "anthropic", "", "", FALSE, TRUE },
  { "gemini", "gemini", "/v1beta", "", FALSE, TRUE },
  { "ollama", "ollama", "", "", FALSE, FALSE },
};

typedef struct
{
  const char *name;
  /* confab's error code when the reply fails; NULL: whatever the SDK does */
  const char *cli_error;
  /* An HTTP error: the provider's own message must reach both. */
  gboolean    http_error;
} Scenario;

static const Scenario scenarios[] = {
  { "echo", NULL, FALSE },
  { "reasoning", NULL, FALSE },
  { "usage-in-choice", NULL, FALSE },
  { "keepalive", NULL, FALSE },
  { "error-401", NULL, FALSE },
  { "error-403-region", NULL, FALSE },
  { "error-500", NULL, FALSE },
  { "inband-error", NULL, FALSE },
  /* The connection closes in the middle of an HTTP chunk: the SDKs report
   * Node's "terminated", confab a network error; the text before agrees. */
  { "drop", "network", FALSE },
  /* One event's JSON is cut in half: both stop there with an error, except
   * the Ollama SDK, which skips a line it cannot parse and goes on (see
   * is_skipped_bad_line); the text before the bad event agrees. */
  { "malformed", "protocol", FALSE },
  /* 429 with retry-after: 1. The SDKs run with retries off, so they report
   * it at once; confab retries twice as its own policy says (about 2 s)
   * and then reports it. Compared: both end in the error, confab with the
   * right code, and the provider's message reaches both. */
  { "error-429", "rate-limit", TRUE },
  { "error-quota", "quota", TRUE },
  /* One word a piece, 50 ms apart: paced streaming reads the same. */
  { "slow-50", NULL, FALSE },
  /* 4 MiB in 1 KiB pieces, compared whole (see assert_texts_equal). */
  { "huge", NULL, FALSE },
};

#define HUGE_LINES 65536

typedef struct
{
  GString  *text;
  GString  *reasoning;
  gint64    input_tokens;
  gint64    output_tokens;
  gboolean  done;
  gboolean  error;
  char     *error_code;      /* confab's "code"; the SDK script sends none */
  char     *error_message;
} Summary;

static void
summary_clear (Summary *summary)
{
  g_string_free (summary->text, TRUE);
  g_string_free (summary->reasoning, TRUE);
  g_free (summary->error_code);
  g_free (summary->error_message);
}

static void
read_error (Summary    *summary,
            JsonObject *event)
{
  summary->error = TRUE;
  if (json_object_has_member (event, "code"))
    summary->error_code = g_strdup (json_object_get_string_member (event, "code"));
  summary->error_message = g_strdup (json_object_get_string_member (event, "message"));
}

static Summary
summarize (const char *ndjson)
{
  Summary summary = { g_string_new (NULL), g_string_new (NULL), -1, -1, FALSE, FALSE, NULL, NULL };
  g_auto(GStrv) lines = g_strsplit (ndjson, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *event;
      const char *type;

      if (lines[i][0] == '\0')
        continue;
      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, NULL));
      event = json_node_get_object (json_parser_get_root (parser));
      type = json_object_get_string_member (event, "type");

      if (g_str_equal (type, "text"))
        g_string_append (summary.text, json_object_get_string_member (event, "text"));
      else if (g_str_equal (type, "reasoning"))
        g_string_append (summary.reasoning, json_object_get_string_member (event, "text"));
      else if (g_str_equal (type, "usage"))
        {
          summary.input_tokens = json_object_get_int_member (event, "input_tokens");
          summary.output_tokens = json_object_get_int_member (event, "output_tokens");
        }
      else if (g_str_equal (type, "done"))
        summary.done = TRUE;
      else if (g_str_equal (type, "error"))
        read_error (&summary, event);
    }
  return summary;
}

/* Equal texts; a long one is reported by its length and checksum, and
 * where it first differs, so a failure does not log megabytes. */
static void
assert_texts_equal (const char *what,
                    const char *a_name,
                    GString    *a,
                    const char *b_name,
                    GString    *b)
{
  g_autofree char *a_sum = NULL;
  g_autofree char *b_sum = NULL;
  gsize i = 0;

  if (a->len < 4096 && b->len < 4096)
    {
      g_assert_cmpstr (a->str, ==, b->str);
      return;
    }

  a_sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, a->str, a->len);
  b_sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, b->str, b->len);
  g_test_message ("%s: %s %" G_GSIZE_FORMAT " bytes, sha256 %s; %s %" G_GSIZE_FORMAT
                  " bytes, sha256 %s", what, a_name, a->len, a_sum, b_name, b->len, b_sum);
  if (a->len == b->len && g_str_equal (a_sum, b_sum))
    return;

  while (i < a->len && i < b->len && a->str[i] == b->str[i])
    i++;
  g_test_message ("first difference at byte %" G_GSIZE_FORMAT ": %s “%.40s”, %s “%.40s”",
                  i, a_name, a->str + i, b_name, b->str + i);
  g_assert_not_reached ();
}

static void
assert_same_text (const char *what,
                  GString    *cli,
                  GString    *sdk)
{
  assert_texts_equal (what, "confab", cli, "SDK", sdk);
}

/* The huge scenario's text, as tests/mock-provider.md defines it. */
static void
assert_huge_text (GString *text)
{
  g_autoptr(GString) expected = g_string_sized_new (HUGE_LINES * 64);

  for (guint k = 0; k < HUGE_LINES; k++)
    g_string_append_printf (expected, "%010u The quick brown fox jumps over the lazy dog. 0123456\n",
                            k);
  g_assert_cmpuint (expected->len, ==, 4 * 1024 * 1024);
  assert_texts_equal ("huge text", "confab", text, "tests/mock-provider.md", expected);
}

/* The Ollama SDK reads NDJSON leniently: a line that does not parse is
 * skipped and the stream goes on to its done line. confab reports it. */
static gboolean
is_skipped_bad_line (const Protocol *protocol,
                     const Scenario *scenario)
{
  return g_str_equal (protocol->protocol, "ollama") && g_str_equal (scenario->name, "malformed");
}

/* What the provider said in an HTTP error: confab's message quotes it as
 * "(HTTP STATUS: TEXT)" at its end, and every SDK's error carries it. */
static void
assert_provider_message_shared (const Summary *cli,
                                const Summary *sdk)
{
  const char *start = cli->error_message ? strstr (cli->error_message, "(HTTP ") : NULL;
  const char *end = cli->error_message ? strrchr (cli->error_message, ')') : NULL;
  g_autofree char *quoted = NULL;

  g_assert_nonnull (start);
  g_assert_nonnull (end);
  start = strstr (start, ": ");
  g_assert_true (start != NULL && start + 2 < end);
  quoted = g_strndup (start + 2, end - start - 2);
  g_assert_nonnull (sdk->error_message);
  if (strstr (sdk->error_message, quoted) == NULL)
    {
      g_test_message ("the SDK's error “%s” does not contain “%s”", sdk->error_message, quoted);
      g_assert_not_reached ();
    }
}

static void
compare (const Protocol *protocol,
         const Scenario *scenario,
         Summary        *cli,
         Summary        *sdk)
{
  assert_same_text ("text", cli->text, sdk->text);
  assert_same_text ("reasoning", cli->reasoning, sdk->reasoning);
  if (g_str_equal (scenario->name, "huge"))
    assert_huge_text (cli->text);

  /* The SDK script reports usage only for completed replies. */
  if (sdk->done && cli->done)
    {
      g_assert_cmpint (cli->input_tokens, ==, sdk->input_tokens);
      g_assert_cmpint (cli->output_tokens, ==, sdk->output_tokens);
    }
  g_assert_true (cli->done != cli->error);
  g_assert_true (sdk->done != sdk->error);
  if (scenario->cli_error != NULL)
    g_assert_cmpstr (cli->error_code, ==, scenario->cli_error);

  if (is_skipped_bad_line (protocol, scenario))
    {
      g_assert_true (sdk->done);
      g_assert_true (cli->error);
      return;
    }
  g_assert_cmpint (cli->done, ==, sdk->done);
  g_assert_cmpint (cli->error, ==, sdk->error);
  if (scenario->http_error)
    assert_provider_message_shared (cli, sdk);
}

/* Logs both outputs, unless they are too long for a log. */
static void
log_outputs (const Protocol *protocol,
             const Scenario *scenario,
             const char     *sdk_out,
             const char     *cli_out)
{
  if (strlen (sdk_out) + strlen (cli_out) < 16384)
    g_test_message ("%s %s\nsdk: %s\ncli: %s", protocol->protocol, scenario->name, sdk_out, cli_out);
  else
    g_test_message ("%s %s: sdk %" G_GSIZE_FORMAT " bytes, cli %" G_GSIZE_FORMAT " bytes of events",
                    protocol->protocol, scenario->name, strlen (sdk_out), strlen (cli_out));
}

/* Starts the SDK's run, its output going to @out_path. It runs while
 * confab-cli reads the same scenario, so the waits in slow, retried and
 * paced scenarios overlap instead of adding up. */
static GSubprocess *
start_sdk (ConfabTestEnv  *env,
           const Protocol *protocol,
           const char     *model,
           const char     *prompt,
           const char     *out_path)
{
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "sdk", "stream.mjs", NULL);
  g_autofree char *modules = g_test_build_filename (G_TEST_DIST, "sdk", "node_modules", NULL);
  g_autofree char *base = g_strconcat (env->mock_url, protocol->sdk_suffix, NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  if (!g_file_test (modules, G_FILE_TEST_IS_DIR))
    g_error ("the SDKs are not installed: run build-aux/test, or npm ci in tests/sdk");

  /* The launcher writes over an existing file without truncating it. */
  g_assert_true (g_unlink (out_path) == 0 || errno == ENOENT);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_stdout_file_path (launcher, out_path);
  g_subprocess_launcher_setenv (launcher, "CONFAB_TEST_KEY", CONFAB_TEST_KEY, TRUE);
  g_ptr_array_add (argv, (char *)"node");
  g_ptr_array_add (argv, script);
  g_ptr_array_add (argv, (char *)protocol->protocol);
  g_ptr_array_add (argv, base);
  g_ptr_array_add (argv, (char *)model);
  g_ptr_array_add (argv, (char *)prompt);
  g_ptr_array_add (argv, (char *)"--max-retries");
  g_ptr_array_add (argv, (char *)"0");
  if (protocol->per_deployment)
    {
      g_ptr_array_add (argv, (char *)"--azure-deployment");
      g_ptr_array_add (argv, (char *)model);
    }
  if (protocol->no_reasoning)
    g_ptr_array_add (argv, (char *)"--no-reasoning");
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}

/* Waits for the SDK's run and returns what it printed. */
static char *
finish_sdk (GSubprocess *process,
            const char  *out_path)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_file_get_contents (out_path, &out, NULL, &error);
  g_assert_no_error (error);
  return out;
}

static void
test_protocol (gconstpointer data)
{
  const Protocol *protocol = data;
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autofree char *base = g_strconcat (env->mock_url, protocol->base_suffix, NULL);
  g_autofree char *sdk_path = g_build_filename (g_get_user_cache_dir (), "sdk-events.ndjson", NULL);
  int status;

  for (guint i = 0; i < G_N_ELEMENTS (scenarios); i++)
    {
      const char *prompt = "Fidelity check: 你好, \"quotes\" and emoji 🎉 stay intact.";
      const char *name = scenarios[i].name;
      g_autoptr(GSubprocess) sdk_process = start_sdk (env, protocol, name, prompt, sdk_path);
      g_autofree char *sdk_out = NULL;
      g_autofree char *cli_out = NULL;
      g_autofree char *added = NULL;
      Summary sdk, cli;

      /* One account per scenario: Azure's classic path takes the
       * deployment, not the model, from the account. */
      added = confab_test_env_run_cli (env, CONFAB_TEST_KEY "\n", &status, NULL, "accounts",
                                       "add", name, "--provider", protocol->provider,
                                       "--base-url", base, "--model", name,
                                       "--deployment", name, "--key-stdin", NULL);
      g_assert_cmpint (status, ==, 0);
      cli_out = confab_test_env_run_cli (env, NULL, &status, NULL, "chat", "--events",
                                         "--account", name, prompt, NULL);
      sdk_out = finish_sdk (sdk_process, sdk_path);
      log_outputs (protocol, &scenarios[i], sdk_out, cli_out);
      sdk = summarize (sdk_out);
      cli = summarize (cli_out);

      compare (protocol, &scenarios[i], &cli, &sdk);

      summary_clear (&sdk);
      summary_clear (&cli);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (protocols); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sdk-fidelity/%s", protocols[i].protocol);
      g_test_add_data_func (path, &protocols[i], test_protocol);
    }

  return g_test_run ();
}
