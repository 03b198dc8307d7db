/* confab-test-env.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define _GNU_SOURCE
#include "config.h"

#include <json-glib/json-glib.h>
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>

#include "confab-test-env.h"

/* A test that fails an assertion aborts without tearing down: the mock
 * must not outlive it and keep the test's output pipes open. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* Starts confab-mock-provider on an ephemeral loopback port. */
GSubprocess *
confab_test_env_spawn_mock (const char * const  *extra_args,
                            char               **url)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  const char *mock = g_getenv ("CONFAB_MOCK_PROVIDER");
  GSubprocess *process;

  g_assert_nonnull (mock);
  g_ptr_array_add (argv, (char *)mock);
  g_ptr_array_add (argv, (char *)"--port");
  g_ptr_array_add (argv, (char *)"0");
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *)extra_args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata, &error);
  g_assert_no_error (error);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  *url = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (*url, "http://127.0.0.1:"));

  return process;
}

/* G_TEST_OPTION_ISOLATE_DIRS moves GLib's idea of the XDG directories for
 * this process only; the CLI run as a child needs the same. */
static void
export_user_dirs (void)
{
  g_setenv ("HOME", g_get_home_dir (), TRUE);
  g_setenv ("XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_setenv ("XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_setenv ("XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  g_setenv ("XDG_STATE_HOME", g_get_user_state_dir (), TRUE);
}

ConfabTestEnv *
confab_test_env_new (ConfabTestEnvFlags flags)
{
  ConfabTestEnv *env = g_new0 (ConfabTestEnv, 1);

  export_user_dirs ();
  g_mkdir_with_parents (g_get_user_cache_dir (), 0700);

  if (flags & CONFAB_TEST_ENV_MOCK)
    {
      const char *args[] = { "--record", NULL, "--key", CONFAB_TEST_KEY, NULL };

      env->record_path = g_build_filename (g_get_user_cache_dir (), "mock-requests.ndjson", NULL);
      args[1] = env->record_path;
      env->mock = confab_test_env_spawn_mock (args, &env->mock_url);
    }

  return env;
}

static void
stop_process (GSubprocess *process)
{
  if (process == NULL)
    return;
  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, NULL);
}

void
confab_test_env_free (ConfabTestEnv *env)
{
  if (env == NULL)
    return;

  stop_process (env->mock);
  g_clear_object (&env->mock);
  g_free (env->mock_url);
  g_free (env->record_path);
  g_strfreev (env->cli_env);
  g_free (env);
}

GSubprocessLauncher *
confab_test_env_new_cli_launcher (ConfabTestEnv      *env,
                                  GSubprocessFlags    flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  /* G_TEST_OPTION_ISOLATE_DIRS empties XDG_DATA_DIRS; the CLI needs the
   * system's GSettings schemas (GIO's proxy resolver reads them). */
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_DIRS", "/usr/local/share:/usr/share", TRUE);
  for (guint i = 0; env->cli_env != NULL && env->cli_env[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (env->cli_env[i], "=", 2);
      g_subprocess_launcher_setenv (launcher, pair[0], pair[1], TRUE);
    }
  return launcher;
}

char *
confab_test_env_run_cliv (ConfabTestEnv      *env,
                          const char         *stdin_text,
                          const char * const *args,
                          int                *exit_status,
                          char              **stderr_text)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  const char *cli = g_getenv ("CONFAB_CLI");
  char *stdout_text = NULL;
  char *err_text = NULL;

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (char *)cli);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *)args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = confab_test_env_new_cli_launcher (env, G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                     G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                     G_SUBPROCESS_FLAGS_STDERR_PIPE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata, &error);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8 (process, stdin_text ? stdin_text : "", NULL,
                                 &stdout_text, &err_text, &error);
  g_assert_no_error (error);

  *exit_status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process)
                                                      : 128 + g_subprocess_get_term_sig (process);
  if (stderr_text != NULL)
    *stderr_text = err_text;
  else
    g_free (err_text);
  return stdout_text;
}

char *
confab_test_env_run_cli (ConfabTestEnv  *env,
                         const char     *stdin_text,
                         int            *exit_status,
                         char          **stderr_text,
                         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  va_start (ap, stderr_text);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (char *)arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  return confab_test_env_run_cliv (env, stdin_text, (const char * const *)args->pdata,
                                   exit_status, stderr_text);
}

/* The requests the mock provider recorded, as JsonNodes, oldest first. */
GPtrArray *
confab_test_env_read_requests (ConfabTestEnv *env)
{
  GPtrArray *requests = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_nonnull (env->record_path);
  if (!g_file_get_contents (env->record_path, &contents, NULL, NULL))
    return requests;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (*lines[i] == '\0')
        continue;
      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, NULL));
      g_ptr_array_add (requests, json_node_copy (json_parser_get_root (parser)));
    }
  return requests;
}

/* Whether any regular file under @path contains @needle. */
gboolean
confab_test_tree_contains (const char *path,
                           const char *needle)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_autofree char *contents = NULL;
      gsize len;

      if (!g_file_get_contents (path, &contents, &len, NULL))
        return FALSE;
      return memmem (contents, len, needle, strlen (needle)) != NULL;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (confab_test_tree_contains (child, needle))
        return TRUE;
    }
  return FALSE;
}

void
confab_test_wait_for (gboolean *flag)
{
  while (!*flag)
    g_main_context_iteration (NULL, TRUE);
}
