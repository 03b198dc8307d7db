/* test-sdk-fidelity.c: the official SDKs and confab-cli read the same thing
 *
 * Each case streams one scenario from the mock provider twice: through
 * the provider's official npm SDK (tests/sdk/stream.mjs) and through
 * confab-cli chat --events. Both print the same event vocabulary; the
 * text, reasoning, usage and outcome must agree. This proves the mock
 * speaks the real wire format, so every other test against it means
 * something.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>

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

static const char * const scenarios[] = {
  "echo", "reasoning", "usage-in-choice", "keepalive", "error-401", "error-403-region",
  "error-500", "inband-error",
};

typedef struct
{
  GString  *text;
  GString  *reasoning;
  gint64    input_tokens;
  gint64    output_tokens;
  gboolean  done;
  gboolean  error;
} Summary;

static void
summary_clear (Summary *summary)
{
  g_string_free (summary->text, TRUE);
  g_string_free (summary->reasoning, TRUE);
}

static Summary
summarize (const char *ndjson)
{
  Summary summary = { g_string_new (NULL), g_string_new (NULL), -1, -1, FALSE, FALSE };
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
        summary.error = TRUE;
    }
  return summary;
}

static char *
run_sdk (ConfabTestEnv  *env,
         const Protocol *protocol,
         const char     *model,
         const char     *prompt)
{
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "sdk", "stream.mjs", NULL);
  g_autofree char *modules = g_test_build_filename (G_TEST_DIST, "sdk", "node_modules", NULL);
  g_autofree char *base = g_strconcat (env->mock_url, protocol->sdk_suffix, NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  if (!g_file_test (modules, G_FILE_TEST_IS_DIR))
    g_error ("the SDKs are not installed: run build-aux/test, or npm ci in tests/sdk");

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
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
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  return out;
}

static void
test_protocol (gconstpointer data)
{
  const Protocol *protocol = data;
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autofree char *base = g_strconcat (env->mock_url, protocol->base_suffix, NULL);
  int status;

  for (guint i = 0; i < G_N_ELEMENTS (scenarios); i++)
    {
      const char *prompt = "Fidelity check: 你好, \"quotes\" and emoji 🎉 stay intact.";
      g_autofree char *sdk_out = run_sdk (env, protocol, scenarios[i], prompt);
      g_autofree char *cli_out = NULL;
      g_autofree char *added = NULL;
      Summary sdk, cli;

      /* One account per scenario: Azure's classic path takes the
       * deployment, not the model, from the account. */
      added = confab_test_env_run_cli (env, CONFAB_TEST_KEY "\n", &status, NULL, "accounts",
                                       "add", scenarios[i], "--provider", protocol->provider,
                                       "--base-url", base, "--model", scenarios[i],
                                       "--deployment", scenarios[i], "--key-stdin", NULL);
      g_assert_cmpint (status, ==, 0);
      cli_out = confab_test_env_run_cli (env, NULL, &status, NULL, "chat", "--events",
                                         "--account", scenarios[i], prompt, NULL);
      g_test_message ("%s %s\nsdk: %s\ncli: %s", protocol->protocol, scenarios[i],
                      sdk_out, cli_out);
      sdk = summarize (sdk_out);
      cli = summarize (cli_out);

      g_assert_cmpstr (cli.text->str, ==, sdk.text->str);
      g_assert_cmpstr (cli.reasoning->str, ==, sdk.reasoning->str);
      /* The SDK script reports usage only for completed replies. */
      if (sdk.done)
        {
          g_assert_cmpint (cli.input_tokens, ==, sdk.input_tokens);
          g_assert_cmpint (cli.output_tokens, ==, sdk.output_tokens);
        }
      g_assert_cmpint (cli.done, ==, sdk.done);
      g_assert_cmpint (cli.error, ==, sdk.error);
      g_assert_true (cli.done != cli.error);

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
