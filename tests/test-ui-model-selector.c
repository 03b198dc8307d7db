/* test-ui-model-selector.c: the accounts and models the selector offers
 *
 * The models come from the mock provider through the real model listing
 * (keys in the session's real keyring).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "confab-keyring.h"
#include "confab-model-selector.h"
#include "confab-test-env.h"

typedef struct
{
  ConfabTestEnv       *env;
  ConfabAccountStore  *store;
  ConfabModelCache    *cache;
  GtkWidget           *window;
  ConfabModelSelector *selector;
} Fixture;

static ConfabAccount *
add_account (Fixture    *fixture,
             const char *id,
             const char *name,
             const char *provider,
             const char *base_url,
             const char *model)
{
  g_autoptr(ConfabAccount) account = confab_account_new (id, name, provider);
  g_autoptr(GError) error = NULL;

  confab_account_set_base_url (account, base_url);
  confab_account_set_model (account, model);
  g_assert_true (confab_keyring_store_sync (id, CONFAB_SECRET_API_KEY, name, CONFAB_TEST_KEY,
                                            NULL, &error));
  g_assert_no_error (error);
  g_assert_true (confab_account_store_add (fixture->store, account, &error));
  g_assert_no_error (error);
  return account;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "confab", "accounts.json", NULL);
  g_autofree char *openai_base = NULL;
  g_autoptr(GError) error = NULL;

  fixture->env = confab_test_env_new (CONFAB_TEST_ENV_MOCK);
  openai_base = g_strconcat (fixture->env->mock_url, "/v1", NULL);
  fixture->store = confab_account_store_new (path);
  add_account (fixture, "work0000", "Work", "custom", openai_base, "echo");
  add_account (fixture, "local000", "Local", "ollama", fixture->env->mock_url, NULL);
  g_assert_true (confab_account_store_save (fixture->store, &error));
  g_assert_no_error (error);
  fixture->cache = confab_model_cache_new ();

  fixture->selector = CONFAB_MODEL_SELECTOR (confab_model_selector_new ());
  confab_model_selector_set_model_cache (fixture->selector, fixture->cache);
  confab_model_selector_set_account_store (fixture->selector, fixture->store);
  fixture->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 600, 400);
  gtk_window_set_child (GTK_WINDOW (fixture->window), GTK_WIDGET (fixture->selector));
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->cache);
  g_clear_object (&fixture->store);
  confab_test_env_free (fixture->env);
}

/* Tree helpers: the popover belongs to the selector's menu button. */

static void
collect (GtkWidget *root,
         GType      type,
         GPtrArray *found)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        g_ptr_array_add (found, child);
      collect (child, type, found);
    }
}

static GtkWidget *
nth_of_type (Fixture *fixture,
             GType    type,
             guint    n)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  collect (GTK_WIDGET (fixture->selector), type, found);
  g_assert_cmpuint (found->len, >, n);
  return g_ptr_array_index (found, n);
}

static GtkListBox *
account_list (Fixture *fixture)
{
  return GTK_LIST_BOX (nth_of_type (fixture, GTK_TYPE_LIST_BOX, 0));
}

static GtkListBox *
model_list (Fixture *fixture)
{
  return GTK_LIST_BOX (nth_of_type (fixture, GTK_TYPE_LIST_BOX, 1));
}

static GtkEntry *
model_entry (Fixture *fixture)
{
  return GTK_ENTRY (nth_of_type (fixture, GTK_TYPE_ENTRY, 0));
}

/* The "model" or "account-id" of each row */
static GStrv
row_keys (GtkListBox *list,
          const char *key)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (list, i)) != NULL; i++)
    g_strv_builder_add (builder, g_object_get_data (G_OBJECT (row), key));
  return g_strv_builder_end (builder);
}

static GtkListBoxRow *
row_with (GtkListBox *list,
          const char *key,
          const char *value)
{
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (list, i)) != NULL; i++)
    if (g_strcmp0 (g_object_get_data (G_OBJECT (row), key), value) == 0)
      return row;
  return NULL;
}

static gboolean
has_label (GtkWidget  *root,
           const char *text)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();

  collect (root, GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    if (g_str_equal (gtk_label_get_text (g_ptr_array_index (labels, i)), text))
      return TRUE;
  return FALSE;
}

static void
wait_for_models (Fixture       *fixture,
                 ConfabAccount *account)
{
  guint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (confab_model_cache_is_loading (fixture->cache, account) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (confab_model_cache_is_loading (fixture->cache, account));
  if (g_str_has_prefix (confab_account_get_id (account), "down"))
    return;
  g_assert_no_error ((GError *)confab_model_cache_get_error (fixture->cache, account));
}

/* Tests */

static void
test_default_account (Fixture       *fixture,
                      gconstpointer  data)
{
  ConfabAccount *account = confab_model_selector_get_account (fixture->selector);

  g_assert_nonnull (account);
  g_assert_cmpstr (confab_account_get_name (account), ==, "Work");
  g_assert_cmpstr (confab_model_selector_get_model (fixture->selector), ==, "echo");
  /* The provider's name in the UI language, and the account's. */
  g_assert_true (has_label (GTK_WIDGET (fixture->selector), "echo"));
  g_assert_true (has_label (GTK_WIDGET (fixture->selector), "Work · Custom (OpenAI-compatible)"));
  gtk_test_accessible_assert_property (gtk_widget_get_first_child (GTK_WIDGET (fixture->selector)),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Model");
}

static void
test_lists_accounts_and_models (Fixture       *fixture,
                                gconstpointer  data)
{
  g_auto(GStrv) accounts = NULL;
  g_auto(GStrv) models = NULL;

  confab_model_selector_popup (fixture->selector);
  accounts = row_keys (account_list (fixture), "account-id");
  g_assert_cmpuint (g_strv_length (accounts), ==, 2);
  g_assert_cmpstr (accounts[0], ==, "work0000");
  g_assert_cmpstr (accounts[1], ==, "local000");
  g_assert_true (has_label (GTK_WIDGET (account_list (fixture)), "Local"));
  g_assert_true (has_label (GTK_WIDGET (account_list (fixture)), "Ollama (local)"));
  /* The current account is the selected row. */
  g_assert_true (gtk_list_box_get_selected_row (account_list (fixture)) ==
                 row_with (account_list (fixture), "account-id", "work0000"));

  /* Fetched from the mock, sorted, cached. */
  wait_for_models (fixture, confab_model_selector_get_account (fixture->selector));
  models = row_keys (model_list (fixture), "model");
  g_assert_true (g_strv_contains ((const char * const *)models, "echo"));
  g_assert_true (g_strv_contains ((const char * const *)models, "slow"));
  g_assert_true (g_strv_contains ((const char * const *)models, "error-403-region"));
  for (guint i = 1; models[i] != NULL; i++)
    g_assert_cmpint (g_utf8_collate (models[i - 1], models[i]), <=, 0);
  g_assert_true (gtk_list_box_get_selected_row (model_list (fixture)) ==
                 row_with (model_list (fixture), "model", "echo"));
}

static void
test_filter_and_free_entry (Fixture       *fixture,
                            gconstpointer  data)
{
  g_auto(GStrv) filtered = NULL;

  confab_model_selector_popup (fixture->selector);
  wait_for_models (fixture, confab_model_selector_get_account (fixture->selector));

  gtk_editable_set_text (GTK_EDITABLE (model_entry (fixture)), "ERROR-4");
  filtered = row_keys (model_list (fixture), "model");
  g_assert_cmpuint (g_strv_length (filtered), >=, 2);
  for (guint i = 0; filtered[i] != NULL; i++)
    g_assert_true (g_str_has_prefix (filtered[i], "error-4"));

  /* Any model id can be typed. */
  gtk_editable_set_text (GTK_EDITABLE (model_entry (fixture)), "  my-fine-tune:v2 ");
  g_signal_emit_by_name (model_entry (fixture), "activate");
  g_assert_cmpstr (confab_model_selector_get_model (fixture->selector), ==, "my-fine-tune:v2");
  g_assert_cmpstr (confab_account_get_name (confab_model_selector_get_account (fixture->selector)), ==, "Work");
}

static void
test_choose_account_and_model (Fixture       *fixture,
                               gconstpointer  data)
{
  const ConfabProviderInfo *ollama = confab_provider_info_lookup ("ollama");
  g_auto(GStrv) models = NULL;

  confab_model_selector_popup (fixture->selector);
  gtk_list_box_select_row (account_list (fixture), row_with (account_list (fixture), "account-id", "local000"));
  g_assert_cmpstr (confab_account_get_name (confab_model_selector_get_account (fixture->selector)), ==, "Local");
  /* Its default: the preset's first model, as the account names none. */
  g_assert_cmpstr (confab_model_selector_get_model (fixture->selector), ==, ollama->models[0]);

  /* The Ollama protocol's own model list (/api/tags). */
  wait_for_models (fixture, confab_model_selector_get_account (fixture->selector));
  models = row_keys (model_list (fixture), "model");
  g_assert_true (g_strv_contains ((const char * const *)models, "echo:latest") ||
                 g_strv_contains ((const char * const *)models, "echo"));

  gtk_list_box_select_row (model_list (fixture), row_with (model_list (fixture), "model", models[0]));
  g_assert_cmpstr (confab_model_selector_get_model (fixture->selector), ==, models[0]);
}

static void
test_follows_reloaded_accounts (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(ConfabAccountStore) other = confab_account_store_new (confab_account_store_get_path (fixture->store));
  g_autoptr(GError) error = NULL;
  ConfabAccount *work;

  confab_model_selector_select (fixture->selector, "local000", "model-x");

  /* confab-cli renames an account: the file changes, the store reloads
   * with new objects. */
  g_assert_true (confab_account_store_load (other, &error));
  work = confab_account_store_lookup_by_id (other, "work0000");
  confab_account_set_name (work, "Office");
  g_assert_true (confab_account_store_save (other, &error));
  g_assert_true (confab_account_store_load (fixture->store, &error));
  g_assert_no_error (error);

  g_assert_cmpstr (confab_account_get_id (confab_model_selector_get_account (fixture->selector)), ==, "local000");
  g_assert_cmpstr (confab_model_selector_get_model (fixture->selector), ==, "model-x");
  confab_model_selector_popup (fixture->selector);
  g_assert_true (has_label (GTK_WIDGET (account_list (fixture)), "Office"));
  g_assert_false (has_label (GTK_WIDGET (account_list (fixture)), "Work"));

  /* The chosen account is removed: the default takes over. */
  confab_account_store_remove (fixture->store, confab_account_store_lookup_by_id (fixture->store, "local000"));
  g_assert_cmpstr (confab_account_get_id (confab_model_selector_get_account (fixture->selector)), ==, "work0000");
  g_assert_cmpstr (confab_model_selector_get_model (fixture->selector), ==, "echo");
}

static void
test_unreachable_provider (Fixture       *fixture,
                           gconstpointer  data)
{
  ConfabAccount *account = add_account (fixture, "down0000", "Down", "deepseek", "http://127.0.0.1:9", NULL);
  g_auto(GStrv) models = NULL;
  GtkWidget *error_label;

  confab_model_selector_popup (fixture->selector);
  confab_model_selector_set_account (fixture->selector, account);
  wait_for_models (fixture, account);

  /* The error is shown; the preset's models stay usable. */
  error_label = NULL;
  {
    g_autoptr(GPtrArray) labels = g_ptr_array_new ();

    collect (GTK_WIDGET (fixture->selector), GTK_TYPE_LABEL, labels);
    for (guint i = 0; i < labels->len; i++)
      if (g_str_has_prefix (gtk_label_get_text (g_ptr_array_index (labels, i)), "Could not list the models: "))
        error_label = g_ptr_array_index (labels, i);
  }
  g_assert_nonnull (error_label);
  g_assert_true (gtk_widget_get_visible (error_label));
  models = row_keys (model_list (fixture), "model");
  g_assert_true (g_strv_contains ((const char * const *)models, "deepseek-chat"));
  g_assert_true (g_strv_contains ((const char * const *)models, "deepseek-reasoner"));
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();
  adw_init ();

#define ADD(path, func) \
  g_test_add ("/model-selector/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("default-account", test_default_account);
  ADD ("lists-accounts-and-models", test_lists_accounts_and_models);
  ADD ("filter-and-free-entry", test_filter_and_free_entry);
  ADD ("choose-account-and-model", test_choose_account_and_model);
  ADD ("follows-reloaded-accounts", test_follows_reloaded_accounts);
  ADD ("unreachable-provider", test_unreachable_provider);
#undef ADD

  return g_test_run ();
}
