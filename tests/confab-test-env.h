/* confab-test-env.h: real services for integration tests
 *
 * Each test program runs under tests/test-session.sh: a private D-Bus
 * session with a real gnome-keyring-daemon. Here: the in-tree mock
 * provider on loopback, and confab-cli run as a subprocess. XDG
 * directories come from G_TEST_OPTION_ISOLATE_DIRS, so each test case
 * starts empty.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The mock provider of a test env accepts only this key. */
#define CONFAB_TEST_KEY "sk-test-5f3a9c1e7b2d4086"

typedef enum
{
  CONFAB_TEST_ENV_NONE = 0,
  CONFAB_TEST_ENV_MOCK = 1 << 0,
} ConfabTestEnvFlags;

typedef struct
{
  GSubprocess *mock;
  char        *mock_url;
  char        *record_path;
  /* Extra "NAME=value" environment for confab-cli runs. */
  GStrv        cli_env;
} ConfabTestEnv;

ConfabTestEnv *confab_test_env_new              (ConfabTestEnvFlags   flags);
void           confab_test_env_free             (ConfabTestEnv       *env);
GSubprocess   *confab_test_env_spawn_mock       (const char * const  *extra_args,
                                                 char               **url);
char          *confab_test_env_run_cli          (ConfabTestEnv       *env,
                                                 const char          *stdin_text,
                                                 int                 *exit_status,
                                                 char               **stderr_text,
                                                 ...) G_GNUC_NULL_TERMINATED;
GSubprocessLauncher *confab_test_env_new_cli_launcher (ConfabTestEnv    *env,
                                                  GSubprocessFlags  flags);
char          *confab_test_env_run_cliv         (ConfabTestEnv       *env,
                                                 const char          *stdin_text,
                                                 const char * const  *argv,
                                                 int                 *exit_status,
                                                 char               **stderr_text);
GPtrArray     *confab_test_env_read_requests    (ConfabTestEnv       *env);
gboolean       confab_test_tree_contains        (const char          *path,
                                                 const char          *needle);
void           confab_test_wait_for             (gboolean            *flag);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabTestEnv, confab_test_env_free)

G_END_DECLS
