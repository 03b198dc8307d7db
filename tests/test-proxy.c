/* test-proxy.c: per-account proxies carry real traffic
 *
 * confab-cli talks to the mock provider through tests/confab-test-proxy
 * (HTTP CONNECT/absolute-form, SOCKS5 with and without a password); the
 * proxy's log proves the traffic went through it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <signal.h>

#include "confab-test-env.h"

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *log;
  guint16           port;
} Proxy;

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static Proxy
start_proxy (const char *kind,
             const char *user,
             const char *password)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  Proxy proxy = { NULL, NULL, 0 };

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  if (user != NULL)
    proxy.process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("CONFAB_TEST_PROXY"),
                                                 "--kind", kind, "--user", user,
                                                 "--password", password, NULL);
  else
    proxy.process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("CONFAB_TEST_PROXY"),
                                                 "--kind", kind, NULL);
  g_assert_no_error (error);
  proxy.log = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proxy.process));
  line = g_data_input_stream_read_line_utf8 (proxy.log, NULL, NULL, &error);
  g_assert_no_error (error);
  proxy.port = atoi (line);
  g_assert_cmpuint (proxy.port, >, 0);
  return proxy;
}

static void
stop_proxy (Proxy *proxy)
{
  g_subprocess_send_signal (proxy->process, SIGTERM);
  g_subprocess_wait (proxy->process, NULL, NULL);
  g_clear_object (&proxy->log);
  g_clear_object (&proxy->process);
}

static char *
next_log_line (Proxy *proxy)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line_utf8 (proxy->log, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (line);
  return line;
}

static int
add_account (ConfabTestEnv *env,
             const char    *name,
             const char    *proxy_url,
             char         **err)
{
  g_autofree char *base = g_strconcat (env->mock_url, "/v1", NULL);
  g_autofree char *out = NULL;
  int status;

  out = confab_test_env_run_cli (env, CONFAB_TEST_KEY "\n", &status, err, "accounts", "add",
                                 name, "--provider", "custom", "--base-url", base, "--model",
                                 "echo", "--proxy", proxy_url, "--key-stdin", NULL);
  return status;
}

static char *
chat (ConfabTestEnv *env,
      const char    *account,
      int           *status,
      char         **err)
{
  return confab_test_env_run_cli (env, NULL, status, err, "chat", "--account", account,
                                  "through the proxy", NULL);
}

static void
test_http_proxy (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  Proxy proxy = start_proxy ("http", NULL, NULL);
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", proxy.port);
  g_autofree char *out = NULL;
  g_autofree char *line = NULL;
  g_autofree char *mock_port = g_strdup (strrchr (env->mock_url, ':') + 1);
  int status;

  g_assert_cmpint (add_account (env, "Proxied", url, NULL), ==, 0);
  out = chat (env, "Proxied", &status, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (out, ==, "through the proxy\n");

  line = next_log_line (&proxy);
  g_assert_true (g_str_has_prefix (line, "TUNNEL 127.0.0.1:"));
  g_assert_true (g_str_has_suffix (line, mock_port));
  stop_proxy (&proxy);
}

static void
test_socks5_proxy_with_password (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  Proxy proxy = start_proxy ("socks5", "alice", "s3cret-proxy-pw");
  g_autofree char *url = g_strdup_printf ("socks5://alice:s3cret-proxy-pw@127.0.0.1:%u", proxy.port);
  g_autofree char *accounts = g_build_filename (g_get_user_config_dir (), "confab", "accounts.json", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *out = NULL;
  g_autofree char *line = NULL;
  int status;

  g_assert_cmpint (add_account (env, "Socks", url, NULL), ==, 0);

  /* The password went to the keyring, not the accounts file. */
  g_assert_true (g_file_get_contents (accounts, &contents, NULL, NULL));
  g_assert_null (strstr (contents, "s3cret-proxy-pw"));
  g_assert_nonnull (strstr (contents, "socks5://alice@127.0.0.1:"));

  out = chat (env, "Socks", &status, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (out, ==, "through the proxy\n");
  line = next_log_line (&proxy);
  g_assert_cmpstr (line, ==, "AUTH-OK alice");
  g_clear_pointer (&line, g_free);
  line = next_log_line (&proxy);
  g_assert_true (g_str_has_prefix (line, "TUNNEL 127.0.0.1:"));
  stop_proxy (&proxy);
}

/* An HTTP proxy asking for Basic credentials: a request in the clear
 * carries them (libsoup 3.2 alone would resend it to the proxy's own
 * address after the 407, and never end). */
static void
test_http_proxy_with_password (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  Proxy proxy = start_proxy ("http", "bob", "h77p-proxy-pw");
  g_autofree char *url = g_strdup_printf ("http://bob:h77p-proxy-pw@127.0.0.1:%u", proxy.port);
  g_autofree char *mock_port = g_strdup (strrchr (env->mock_url, ':') + 1);
  g_autofree char *out = NULL;
  g_autofree char *line = NULL;
  int status;

  g_assert_cmpint (add_account (env, "HttpAuth", url, NULL), ==, 0);
  out = chat (env, "HttpAuth", &status, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (out, ==, "through the proxy\n");
  line = next_log_line (&proxy);
  g_assert_cmpstr (line, ==, "AUTH-OK bob");
  g_clear_pointer (&line, g_free);
  line = next_log_line (&proxy);
  g_assert_true (g_str_has_prefix (line, "TUNNEL 127.0.0.1:"));
  g_assert_true (g_str_has_suffix (line, mock_port));
  stop_proxy (&proxy);
}

static void
test_http_proxy_wrong_password (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  Proxy proxy = start_proxy ("http", "bob", "right");
  g_autofree char *url = g_strdup_printf ("http://bob:bad-pw-456@127.0.0.1:%u", proxy.port);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  g_assert_cmpint (add_account (env, "HttpAuth", url, NULL), ==, 0);
  out = chat (env, "HttpAuth", &status, &err);
  g_assert_cmpint (status, !=, 0);
  g_test_message ("%s", err);
  g_assert_nonnull (strstr (err, "proxy"));
  g_assert_null (strstr (err, "bad-pw-456"));
  stop_proxy (&proxy);
}

static void
test_socks5_wrong_password (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  Proxy proxy = start_proxy ("socks5", "alice", "right");
  g_autofree char *url = g_strdup_printf ("socks5://alice:bad-pw-123@127.0.0.1:%u", proxy.port);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  g_assert_cmpint (add_account (env, "Socks", url, NULL), ==, 0);
  out = chat (env, "Socks", &status, &err);
  g_assert_cmpint (status, ==, 4);
  g_assert_nonnull (strstr (err, "proxy"));
  g_test_message ("%s", err);
  g_assert_null (strstr (err, "bad-pw-123"));
  stop_proxy (&proxy);
}

/* A dead proxy gives a network error that names the proxy. */
static void
test_dead_proxy (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autofree char *url = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  guint16 port;
  int status;

  port = g_socket_listener_add_any_inet_port (listener, NULL, NULL);
  g_socket_listener_close (listener);
  url = g_strdup_printf ("http://127.0.0.1:%u", port);

  g_assert_cmpint (add_account (env, "Dead", url, NULL), ==, 0);
  g_setenv ("CONFAB_CONNECT_TIMEOUT", "5", TRUE);
  out = chat (env, "Dead", &status, &err);
  g_assert_cmpint (status, ==, 4);
  g_assert_nonnull (strstr (err, "through the proxy"));
  g_assert_nonnull (strstr (err, url));
}

static void
test_invalid_proxy (void)
{
  g_autoptr(ConfabTestEnv) env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  g_autofree char *err = NULL;

  g_assert_cmpint (add_account (env, "Bad", "ftp://127.0.0.1:21", &err), ==, 2);
  g_assert_nonnull (strstr (err, "--proxy"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/proxy/http", test_http_proxy);
  g_test_add_func ("/proxy/http-password", test_http_proxy_with_password);
  g_test_add_func ("/proxy/http-wrong-password", test_http_proxy_wrong_password);
  g_test_add_func ("/proxy/socks5-password", test_socks5_proxy_with_password);
  g_test_add_func ("/proxy/socks5-wrong-password", test_socks5_wrong_password);
  g_test_add_func ("/proxy/dead", test_dead_proxy);
  g_test_add_func ("/proxy/invalid", test_invalid_proxy);

  return g_test_run ();
}
