/* fuzz-history-import.c: importing a history export file
 *
 * Input: the file. confab_history_import_parse() must accept it or fail
 * with CONFAB_HISTORY_ERROR_INVALID_EXPORT; what it accepts must survive
 * export → parse unchanged, export to Markdown as UTF-8, and import into a
 * real SQLite history and load back unchanged.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-history-export.h"
#include "confab-history-store.h"
#include "fuzz-common.h"

static ConfabHistoryStore *store;

int LLVMFuzzerInitialize (int    *argc,
                          char ***argv);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  confab_fuzz_init ();
  path = confab_fuzz_tmp_path ("history.db");
  store = confab_history_store_new (path);
  if (!confab_history_store_open (store, NULL, &error))
    g_error ("%s", error->message);
  return 0;
}

static void
require_same_conversation (ConfabConversation *a,
                           ConfabConversation *b)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (a));

  confab_fuzz_require (g_strcmp0 (confab_conversation_get_id (a),
                                  confab_conversation_get_id (b)) == 0);
  confab_fuzz_require (g_strcmp0 (confab_conversation_get_title (a),
                                  confab_conversation_get_title (b)) == 0);
  confab_fuzz_require (g_list_model_get_n_items (G_LIST_MODEL (b)) == n);
  for (guint i = 0; i < n; i++)
    {
      ConfabMessage *ma = confab_conversation_get_message (a, i);
      ConfabMessage *mb = confab_conversation_get_message (b, i);

      confab_fuzz_require (confab_message_get_role (ma) == confab_message_get_role (mb));
      confab_fuzz_require (g_strcmp0 (confab_message_get_text (ma),
                                      confab_message_get_text (mb)) == 0);
      confab_fuzz_require (g_strcmp0 (confab_message_get_reasoning (ma),
                                      confab_message_get_reasoning (mb)) == 0);
    }
}

static void
check_round_trip (GPtrArray *conversations)
{
  g_autoptr(JsonNode) root = confab_history_export_json (conversations);
  g_autofree char *text = json_to_string (root, FALSE);
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GError) error = NULL;

  again = confab_history_import_parse (text, -1, &error);
  if (again == NULL)
    g_error ("an export of an import does not import: %s", error->message);
  confab_fuzz_require (again->len == conversations->len);
  for (guint i = 0; i < again->len; i++)
    {
      g_autofree char *markdown = confab_history_export_markdown (conversations->pdata[i]);

      confab_fuzz_check_utf8 (markdown, -1, "the Markdown export");
      require_same_conversation (conversations->pdata[i], again->pdata[i]);
    }
}

/* Into the database and out again; then removed, so every input starts
 * from an empty history. */
static void
check_store (GPtrArray *conversations)
{
  g_autoptr(GError) error = NULL;
  guint n_imported = 0, n_skipped = 0;

  if (!confab_history_store_import (store, conversations, &n_imported, &n_skipped, NULL, &error))
    g_error ("a valid export could not be imported: %s", error->message);
  confab_fuzz_require (n_imported == conversations->len && n_skipped == 0);

  for (guint i = 0; i < conversations->len; i++)
    {
      const char *id = confab_conversation_get_id (conversations->pdata[i]);
      g_autoptr(ConfabConversation) loaded = confab_history_store_load (store, id, NULL, &error);

      if (loaded == NULL)
        g_error ("an imported conversation does not load: %s", error->message);
      require_same_conversation (conversations->pdata[i], loaded);
      if (!confab_history_store_delete (store, id, NULL, &error))
        g_error ("%s", error->message);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GPtrArray) conversations = NULL;
  g_autoptr(GError) error = NULL;

  conversations = confab_history_import_parse ((const char *)data, size, &error);
  if (conversations == NULL)
    {
      confab_fuzz_require (g_error_matches (error, CONFAB_HISTORY_ERROR,
                                            CONFAB_HISTORY_ERROR_INVALID_EXPORT));
      confab_fuzz_check_utf8 (error->message, -1, "the error message");
      return 0;
    }

  check_round_trip (conversations);
  check_store (conversations);
  return 0;
}
