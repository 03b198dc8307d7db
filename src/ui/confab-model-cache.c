/* confab-model-cache.c
 *
 * Listing models is a network round trip (and for some providers several
 * pages), so each account's list is fetched once per run and kept. Until
 * it arrives, and when it cannot, the list holds the account's default
 * model and the preset's well-known models, so the selector is never
 * empty and works offline.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-model-cache.h"
#include "confab-model-list.h"

typedef struct
{
  GtkStringList *models;
  GCancellable  *cancellable;
  GError        *error;
  gboolean       fetched;
} Entry;

struct _ConfabModelCache
{
  GObject     parent_instance;

  /* account id → Entry */
  GHashTable *entries;
};

G_DEFINE_FINAL_TYPE (ConfabModelCache, confab_model_cache, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
entry_free (Entry *entry)
{
  g_cancellable_cancel (entry->cancellable);
  g_clear_object (&entry->cancellable);
  g_clear_object (&entry->models);
  g_clear_error (&entry->error);
  g_free (entry);
}

static void
confab_model_cache_finalize (GObject *object)
{
  ConfabModelCache *self = (ConfabModelCache *)object;

  g_clear_pointer (&self->entries, g_hash_table_unref);

  G_OBJECT_CLASS (confab_model_cache_parent_class)->finalize (object);
}

static void
confab_model_cache_class_init (ConfabModelCacheClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = confab_model_cache_finalize;

  /**
   * ConfabModelCache::changed:
   * @account_id: whose list or loading state changed
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
confab_model_cache_init (ConfabModelCache *self)
{
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify)entry_free);
}

ConfabModelCache *
confab_model_cache_new (void)
{
  return g_object_new (CONFAB_TYPE_MODEL_CACHE, NULL);
}

/**
 * confab_model_cache_dup_default_model:
 *
 * The model a new chat with @account starts with:
 * confab_account_get_default_model().
 *
 * Returns: (nullable): the model id
 */
char *
confab_model_cache_dup_default_model (ConfabAccount *account)
{
  g_return_val_if_fail (CONFAB_IS_ACCOUNT (account), NULL);

  return g_strdup (confab_account_get_default_model (account));
}

static void
add_unique (GPtrArray  *ids,
            const char *id)
{
  if (id == NULL || *id == '\0')
    return;
  for (guint i = 0; i < ids->len; i++)
    if (g_str_equal (g_ptr_array_index (ids, i), id))
      return;
  g_ptr_array_add (ids, (gpointer)id);
}

static void
fill_with_known_models (Entry         *entry,
                        ConfabAccount *account)
{
  const ConfabProviderInfo *info = confab_account_get_provider_info (account);
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autofree char *fallback = confab_model_cache_dup_default_model (account);

  add_unique (ids, fallback);
  for (guint i = 0; info != NULL && info->models != NULL && info->models[i] != NULL; i++)
    add_unique (ids, info->models[i]);
  g_ptr_array_add (ids, NULL);

  gtk_string_list_splice (entry->models, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (entry->models)),
                          (const char * const *)ids->pdata);
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  return g_utf8_collate (*(const char * const *)a, *(const char * const *)b);
}

typedef struct
{
  ConfabModelCache *self;
  char             *account_id;
} FetchData;

static void
on_fetched (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  FetchData *data = user_data;
  g_autoptr(ConfabModelCache) self = data->self;
  g_autofree char *account_id = data->account_id;
  g_autoptr(GPtrArray) models = NULL;
  g_autoptr(GError) error = NULL;
  Entry *entry;

  g_free (data);
  models = confab_model_list_fetch_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if ((entry = g_hash_table_lookup (self->entries, account_id)) == NULL)
    return;

  g_clear_object (&entry->cancellable);
  entry->fetched = TRUE;
  if (models == NULL)
    {
      g_clear_error (&entry->error);
      entry->error = g_steal_pointer (&error);
    }
  else if (models->len > 0)
    {
      g_ptr_array_sort (models, compare_ids);
      g_ptr_array_add (models, NULL);
      gtk_string_list_splice (entry->models, 0,
                              g_list_model_get_n_items (G_LIST_MODEL (entry->models)),
                              (const char * const *)models->pdata);
    }

  g_signal_emit (self, signals[CHANGED], 0, account_id);
}

static void
start_fetch (ConfabModelCache *self,
             Entry            *entry,
             ConfabAccount    *account)
{
  FetchData *data = g_new0 (FetchData, 1);

  g_cancellable_cancel (entry->cancellable);
  g_clear_object (&entry->cancellable);
  g_clear_error (&entry->error);
  entry->cancellable = g_cancellable_new ();

  data->self = g_object_ref (self);
  data->account_id = g_strdup (confab_account_get_id (account));
  confab_model_list_fetch_async (account, entry->cancellable, on_fetched, data);
}

static Entry *
ensure_entry (ConfabModelCache *self,
              ConfabAccount    *account)
{
  const char *id = confab_account_get_id (account);
  Entry *entry = g_hash_table_lookup (self->entries, id);

  if (entry != NULL)
    return entry;

  entry = g_new0 (Entry, 1);
  entry->models = gtk_string_list_new (NULL);
  fill_with_known_models (entry, account);
  g_hash_table_insert (self->entries, g_strdup (id), entry);
  start_fetch (self, entry, account);
  return entry;
}

/**
 * confab_model_cache_get_models:
 *
 * The models of @account, sorted; starts fetching them the first time.
 * The list updates in place when they arrive.
 *
 * Returns: (transfer none): the list
 */
GtkStringList *
confab_model_cache_get_models (ConfabModelCache *self,
                               ConfabAccount    *account)
{
  g_return_val_if_fail (CONFAB_IS_MODEL_CACHE (self), NULL);
  g_return_val_if_fail (CONFAB_IS_ACCOUNT (account), NULL);

  return ensure_entry (self, account)->models;
}

gboolean
confab_model_cache_is_loading (ConfabModelCache *self,
                               ConfabAccount    *account)
{
  g_return_val_if_fail (CONFAB_IS_MODEL_CACHE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_ACCOUNT (account), FALSE);

  return ensure_entry (self, account)->cancellable != NULL;
}

/* Returns: (nullable): why the last fetch failed */
const GError *
confab_model_cache_get_error (ConfabModelCache *self,
                              ConfabAccount    *account)
{
  g_return_val_if_fail (CONFAB_IS_MODEL_CACHE (self), NULL);
  g_return_val_if_fail (CONFAB_IS_ACCOUNT (account), NULL);

  return ensure_entry (self, account)->error;
}

void
confab_model_cache_refresh (ConfabModelCache *self,
                            ConfabAccount    *account)
{
  Entry *entry;

  g_return_if_fail (CONFAB_IS_MODEL_CACHE (self));
  g_return_if_fail (CONFAB_IS_ACCOUNT (account));

  entry = ensure_entry (self, account);
  if (entry->cancellable != NULL)
    return;
  start_fetch (self, entry, account);
  g_signal_emit (self, signals[CHANGED], 0, confab_account_get_id (account));
}

/* Forgets an account's list, e.g. after its settings or key changed. */
void
confab_model_cache_invalidate (ConfabModelCache *self,
                               const char       *account_id)
{
  g_return_if_fail (CONFAB_IS_MODEL_CACHE (self));
  g_return_if_fail (account_id != NULL);

  if (g_hash_table_remove (self->entries, account_id))
    g_signal_emit (self, signals[CHANGED], 0, account_id);
}
