/* test-account-origin.c: the server an account's key goes to
 *
 * confab_account_dup_origin() decides when the app and confab-cli ask
 * before a saved key follows a changed base URL (issue 8), so a change
 * that keeps the server must not ask, and every change of scheme, host
 * or port must.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-account.h"

static ConfabAccount *
account_at (const char *provider_id,
            const char *base_url)
{
  ConfabAccount *account = confab_account_new ("id", "Name", provider_id);

  confab_account_set_base_url (account, base_url);
  return account;
}

static void
assert_origin (const char *provider_id,
               const char *base_url,
               const char *expected)
{
  g_autoptr(ConfabAccount) account = account_at (provider_id, base_url);
  g_autofree char *origin = confab_account_dup_origin (account);

  g_assert_cmpstr (origin, ==, expected);
}

static void
test_origin_form (void)
{
  assert_origin ("custom", "https://api.example.com/v1", "https://api.example.com:443");
  assert_origin ("custom", "http://api.example.com/v1", "http://api.example.com:80");
  assert_origin ("custom", "HTTPS://API.Example.COM:8443/v1/", "https://api.example.com:8443");
  assert_origin ("custom", "http://127.0.0.1:40123/v1", "http://127.0.0.1:40123");
  assert_origin ("custom", "http://[::1]:11434", "http://::1:11434");
  /* Without a base URL of its own, the preset's region decides. */
  assert_origin ("openai", NULL, "https://api.openai.com:443");
  assert_origin ("custom", "not a URL", NULL);
}

static gboolean
same_origin (const char *a,
             const char *b)
{
  g_autoptr(ConfabAccount) first = account_at ("custom", a);
  g_autoptr(ConfabAccount) second = account_at ("custom", b);

  return confab_account_same_origin (first, second);
}

static void
test_same_server (void)
{
  g_assert_true (same_origin ("https://api.example.com/v1", "https://api.example.com/v2/"));
  g_assert_true (same_origin ("https://api.example.com/v1", "https://API.example.com:443/v1"));
  g_assert_true (same_origin ("http://api.example.com", "http://api.example.com:80/"));
}

static void
test_other_server (void)
{
  g_assert_false (same_origin ("https://api.example.com/v1", "http://api.example.com/v1"));
  g_assert_false (same_origin ("https://api.example.com/v1", "https://api.example.org/v1"));
  g_assert_false (same_origin ("https://api.example.com/v1", "https://api.example.com:8443/v1"));
  g_assert_false (same_origin ("http://127.0.0.1:40123/v1", "http://127.0.0.1:40124/v1"));
  g_assert_false (same_origin ("https://api.example.com/v1", "https://api.example.com.evil.test/v1"));
  g_assert_false (same_origin ("https://api.example.com/v1", "https://user@evil.test/v1"));
}

static void
test_preset_to_custom (void)
{
  g_autoptr(ConfabAccount) preset = account_at ("openai", NULL);
  g_autoptr(ConfabAccount) moved = account_at ("openai", "https://proxy.example.com/v1");
  g_autoptr(ConfabAccount) explicit = account_at ("openai", "https://api.openai.com/v1/");

  g_assert_false (confab_account_same_origin (preset, moved));
  g_assert_true (confab_account_same_origin (preset, explicit));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/account-origin/form", test_origin_form);
  g_test_add_func ("/account-origin/same-server", test_same_server);
  g_test_add_func ("/account-origin/other-server", test_other_server);
  g_test_add_func ("/account-origin/preset-to-custom", test_preset_to_custom);

  return g_test_run ();
}
