/* fuzz-account-store.c: loading accounts.json
 *
 * Input: the file's contents. ConfabAccountStore must load it or fail
 * with a clear error, leaving the store as it was; what it loads must
 * save and load back the same.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-account-store.h"
#include "fuzz-common.h"

static void
require_same_string (const char *a,
                     const char *b)
{
  confab_fuzz_require (g_strcmp0 (a, b) == 0);
}

static void
require_same_account (ConfabAccount *a,
                      ConfabAccount *b)
{
  const char * const *ha = confab_account_get_headers (a);
  const char * const *hb = confab_account_get_headers (b);

  require_same_string (confab_account_get_id (a), confab_account_get_id (b));
  require_same_string (confab_account_get_name (a), confab_account_get_name (b));
  require_same_string (confab_account_get_provider_id (a), confab_account_get_provider_id (b));
  require_same_string (confab_account_get_base_url (a), confab_account_get_base_url (b));
  require_same_string (confab_account_get_region (a), confab_account_get_region (b));
  require_same_string (confab_account_get_model (a), confab_account_get_model (b));
  require_same_string (confab_account_get_proxy (a), confab_account_get_proxy (b));
  require_same_string (confab_account_get_deployment (a), confab_account_get_deployment (b));
  require_same_string (confab_account_get_api_version (a), confab_account_get_api_version (b));
  require_same_string (confab_account_get_ca_file (a), confab_account_get_ca_file (b));
  confab_fuzz_require ((ha == NULL) == (hb == NULL));
  confab_fuzz_require (ha == NULL || g_strv_equal (ha, hb));
}

static void
check_loaded (ConfabAccountStore *store)
{
  g_autoptr(ConfabAccountStore) copy = NULL;
  g_autoptr(GError) error = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));
  ConfabAccount *default_account = confab_account_store_get_default (store);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabAccount) account = g_list_model_get_item (G_LIST_MODEL (store), i);
      g_autofree char *base = confab_account_dup_effective_base_url (account);

      confab_fuzz_check_utf8 (confab_account_get_name (account), -1, "an account name");
      confab_fuzz_check_utf8 (base, -1, "a base URL");
    }

  /* What was loaded saves, and loads back the same. */
  if (!confab_account_store_save (store, &error))
    g_error ("loaded accounts do not save: %s", error->message);
  copy = confab_account_store_new (confab_account_store_get_path (store));
  if (!confab_account_store_load (copy, &error))
    g_error ("saved accounts do not load: %s", error->message);

  confab_fuzz_require (g_list_model_get_n_items (G_LIST_MODEL (copy)) == n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabAccount) a = g_list_model_get_item (G_LIST_MODEL (store), i);
      g_autoptr(ConfabAccount) b = g_list_model_get_item (G_LIST_MODEL (copy), i);

      require_same_account (a, b);
    }
  confab_fuzz_require ((default_account == NULL) ==
                       (confab_account_store_get_default (copy) == NULL));
  if (default_account != NULL)
    require_same_string (confab_account_get_id (default_account),
                         confab_account_get_id (confab_account_store_get_default (copy)));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *path = NULL;
  g_autoptr(ConfabAccountStore) store = NULL;
  g_autoptr(GError) error = NULL;

  confab_fuzz_init ();
  path = confab_fuzz_tmp_path ("accounts.json");
  if (!g_file_set_contents (path, (const char *)data, size, &error))
    g_error ("%s", error->message);

  store = confab_account_store_new (path);
  if (!confab_account_store_load (store, &error))
    {
      confab_fuzz_require (error != NULL);
      confab_fuzz_check_utf8 (error->message, -1, "the error message");
      confab_fuzz_require (g_list_model_get_n_items (G_LIST_MODEL (store)) == 0);
      return 0;
    }

  check_loaded (store);
  return 0;
}
