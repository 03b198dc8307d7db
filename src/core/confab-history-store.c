/* confab-history-store.c
 *
 * One SQLite connection per store, used by one thread at a time: the
 * calling thread for the synchronous API, the store's worker thread for
 * the asynchronous one, with a mutex between them.
 *
 * The asynchronous calls go to a thread pool of exactly one thread rather
 * than to g_task_run_in_thread(): GLib's shared pool may run two tasks at
 * once and in any order, and then a flush of a streaming reply could land
 * after the final write of that reply and turn it back to "streaming". A
 * single worker does the work in the order it was asked for, keeps the
 * connection on one thread, and a slow disk cannot tie up GLib's pool.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-history-private.h"

typedef gboolean (*JobFunc) (ConfabHistoryDb  *db,
                             gpointer          data,
                             gpointer         *result,
                             GError          **error);

typedef struct
{
  JobFunc        func;
  gpointer       data;
  GDestroyNotify data_free;
  GDestroyNotify result_free;
} Job;

struct _ConfabHistoryStore
{
  GObject          parent_instance;

  char            *path;
  GThreadPool     *worker;

  /* Guards db, which is opened on first use. */
  GMutex           lock;
  ConfabHistoryDb *db;
};

G_DEFINE_FINAL_TYPE (ConfabHistoryStore, confab_history_store, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Running jobs */

static gboolean
ensure_open (ConfabHistoryStore  *self,
             GError             **error)
{
  if (self->db == NULL)
    self->db = confab_history_db_open (self->path, error);
  return self->db != NULL;
}

static gboolean
run_locked (ConfabHistoryStore  *self,
            JobFunc              func,
            gpointer             data,
            gpointer            *result,
            GError             **error)
{
  gboolean ok;

  g_mutex_lock (&self->lock);
  ok = ensure_open (self, error) && func (self->db, data, result, error);
  g_mutex_unlock (&self->lock);
  return ok;
}

static gboolean
run_sync (ConfabHistoryStore  *self,
          JobFunc              func,
          gpointer             data,
          gpointer            *result,
          GCancellable        *cancellable,
          GError             **error)
{
  gpointer unused = NULL;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  return run_locked (self, func, data, result ? result : &unused, error);
}

static void
job_free (gpointer data)
{
  Job *job = data;

  if (job->data_free != NULL)
    job->data_free (job->data);
  g_free (job);
}

static void
worker_run (gpointer data,
            gpointer user_data)
{
  g_autoptr(GTask) task = data;
  ConfabHistoryStore *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);
  gpointer result = NULL;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (run_locked (self, job->func, job->data, &result, &error))
    g_task_return_pointer (task, result, job->result_free);
  else
    g_task_return_error (task, error);
}

/* Queues @func on the worker. Cancelling only stops work not yet begun:
 * a write that was done is reported as done. */
static void
run_async (ConfabHistoryStore  *self,
           JobFunc              func,
           gpointer             data,
           GDestroyNotify       data_free,
           GDestroyNotify       result_free,
           gpointer             source_tag,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Job *job = g_new0 (Job, 1);

  job->func = func;
  job->data = data;
  job->data_free = data_free;
  job->result_free = result_free;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, job, job_free);
  g_task_set_check_cancellable (task, FALSE);
  g_thread_pool_push (self->worker, task, NULL);
}

static gpointer
finish_pointer (ConfabHistoryStore  *self,
                GAsyncResult        *result,
                gpointer             source_tag,
                GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
finish_boolean (ConfabHistoryStore  *self,
                GAsyncResult        *result,
                gpointer             source_tag,
                GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  finish_pointer (self, result, source_tag, error);
  return !g_task_had_error (G_TASK (result));
}

static gpointer
task_job_data (GAsyncResult *result)
{
  Job *job = g_task_get_task_data (G_TASK (result));

  return job->data;
}

/* GObject */

static void
confab_history_store_finalize (GObject *object)
{
  ConfabHistoryStore *self = (ConfabHistoryStore *)object;

  /* Every queued job holds a reference, so the worker is idle; not
   * waiting lets the last reference go on the worker thread itself. */
  g_thread_pool_free (self->worker, FALSE, FALSE);
  g_clear_pointer (&self->db, confab_history_db_close);
  g_mutex_clear (&self->lock);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (confab_history_store_parent_class)->finalize (object);
}

static void
confab_history_store_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ConfabHistoryStore *self = CONFAB_HISTORY_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_history_store_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  ConfabHistoryStore *self = CONFAB_HISTORY_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      if (self->path == NULL)
        self->path = confab_history_store_dup_default_path ();
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_history_store_class_init (ConfabHistoryStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = confab_history_store_finalize;
  object_class->get_property = confab_history_store_get_property;
  object_class->set_property = confab_history_store_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_history_store_init (ConfabHistoryStore *self)
{
  g_mutex_init (&self->lock);
  self->worker = g_thread_pool_new (worker_run, NULL, 1, FALSE, NULL);
}

/* $XDG_DATA_HOME/confab/history.db */
char *
confab_history_store_dup_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "confab", "history.db", NULL);
}

/* @path: the database file, or NULL for the default. Nothing touches the
 * disk until the first call. */
ConfabHistoryStore *
confab_history_store_new (const char *path)
{
  return g_object_new (CONFAB_TYPE_HISTORY_STORE, "path", path, NULL);
}

const char *
confab_history_store_get_path (ConfabHistoryStore *self)
{
  g_return_val_if_fail (CONFAB_IS_HISTORY_STORE (self), NULL);
  return self->path;
}

/* open: creates or upgrades the file and marks the replies that a gone
 * process left streaming as interrupted. Every other call opens the
 * store too; this one is for reporting problems at start-up. */

static gboolean
job_open (ConfabHistoryDb  *db,
          gpointer          data,
          gpointer         *result,
          GError          **error)
{
  return TRUE;
}

gboolean
confab_history_store_open (ConfabHistoryStore  *self,
                           GCancellable        *cancellable,
                           GError             **error)
{
  g_return_val_if_fail (CONFAB_IS_HISTORY_STORE (self), FALSE);
  return run_sync (self, job_open, NULL, NULL, cancellable, error);
}

void
confab_history_store_open_async (ConfabHistoryStore  *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (CONFAB_IS_HISTORY_STORE (self));
  run_async (self, job_open, NULL, NULL, NULL, confab_history_store_open_async,
             cancellable, callback, user_data);
}

gboolean
confab_history_store_open_finish (ConfabHistoryStore  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  return finish_boolean (self, result, confab_history_store_open_async, error);
}

/* list: conversations without their messages, most recent first */

static gboolean
job_list (ConfabHistoryDb  *db,
          gpointer          data,
          gpointer         *result,
          GError          **error)
{
  *result = confab_history_db_list (db, GPOINTER_TO_UINT (data), error);
  return *result != NULL;
}

/* Returns: (element-type ConfabConversation): @limit 0 lists all. */
GPtrArray *
confab_history_store_list (ConfabHistoryStore  *self,
                           guint                limit,
                           GCancellable        *cancellable,
                           GError             **error)
{
  gpointer result = NULL;

  g_return_val_if_fail (CONFAB_IS_HISTORY_STORE (self), NULL);

  run_sync (self, job_list, GUINT_TO_POINTER (limit), &result, cancellable, error);
  return result;
}

void
confab_history_store_list_async (ConfabHistoryStore  *self,
                                 guint                limit,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (CONFAB_IS_HISTORY_STORE (self));
  run_async (self, job_list, GUINT_TO_POINTER (limit), NULL,
             (GDestroyNotify)g_ptr_array_unref, confab_history_store_list_async,
             cancellable, callback, user_data);
}

GPtrArray *
confab_history_store_list_finish (ConfabHistoryStore  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  return finish_pointer (self, result, confab_history_store_list_async, error);
}

/* load: one conversation with all its messages */

static gboolean
job_load (ConfabHistoryDb  *db,
          gpointer          data,
          gpointer         *result,
          GError          **error)
{
  *result = confab_history_db_load (db, data, error);
  return *result != NULL;
}

ConfabConversation *
confab_history_store_load (ConfabHistoryStore  *self,
                           const char          *id,
                           GCancellable        *cancellable,
                           GError             **error)
{
  gpointer result = NULL;

  g_return_val_if_fail (CONFAB_IS_HISTORY_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  run_sync (self, job_load, (gpointer)id, &result, cancellable, error);
  return result;
}

void
confab_history_store_load_async (ConfabHistoryStore  *self,
                                 const char          *id,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (CONFAB_IS_HISTORY_STORE (self));
  g_return_if_fail (id != NULL);

  run_async (self, job_load, g_strdup (id), g_free, g_object_unref,
             confab_history_store_load_async, cancellable, callback, user_data);
}

ConfabConversation *
confab_history_store_load_finish (ConfabHistoryStore  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  return finish_pointer (self, result, confab_history_store_load_async, error);
}

/* load_all: every conversation with its messages, for exporting */

static gboolean
job_load_all (ConfabHistoryDb  *db,
              gpointer          data,
              gpointer         *result,
              GError          **error)
{
  *result = confab_history_db_load_all (db, error);
  return *result != NULL;
}

GPtrArray *
confab_history_store_load_all (ConfabHistoryStore  *self,
                               GCancellable        *cancellable,
                               GError             **error)
{
  gpointer result = NULL;

  g_return_val_if_fail (CONFAB_IS_HISTORY_STORE (self), NULL);

  run_sync (self, job_load_all, NULL, &result, cancellable, error);
  return result;
}

void
confab_history_store_load_all_async (ConfabHistoryStore  *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (CONFAB_IS_HISTORY_STORE (self));
  run_async (self, job_load_all, NULL, NULL, (GDestroyNotify)g_ptr_array_unref,
             confab_history_store_load_all_async, cancellable, callback, user_data);
}

GPtrArray *
confab_history_store_load_all_finish (ConfabHistoryStore  *self,
                                      GAsyncResult        *result,
                                      GError             **error)
{
  return finish_pointer (self, result, confab_history_store_load_all_async, error);
}

/* save: the conversation's metadata and its messages that have no row
 * yet, which get their ids when it succeeds. Messages already saved
 * change with update_message. */

typedef struct
{
  ConfabHistorySnapshot *snapshot;
  GPtrArray             *messages;   /* the ConfabMessages of snapshot->messages */
} SaveData;

static void
save_data_free (gpointer data)
{
  SaveData *save = data;

  confab_history_snapshot_free (save->snapshot);
  g_ptr_array_unref (save->messages);
  g_free (save);
}

static SaveData *
save_data_new (ConfabConversation *conversation)
{
  SaveData *save = g_new0 (SaveData, 1);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (conversation));

  save->snapshot = confab_history_snapshot_new (conversation, TRUE);
  save->messages = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n; i++)
    {
      ConfabMessage *message = confab_conversation_get_message (conversation, i);

      if (confab_message_get_id (message) == 0)
        g_ptr_array_add (save->messages, g_object_ref (message));
    }
  g_assert (save->messages->len == save->snapshot->messages->len);
  return save;
}

static void
save_data_assign_ids (SaveData *save)
{
  for (guint i = 0; i < save->messages->len; i++)
    {
      ConfabHistoryMessageRow *row = g_ptr_array_index (save->snapshot->messages, i);
      confab_message_set_id (g_ptr_array_index (save->messages, i), row->id);
    }
}

static gboolean
job_save (ConfabHistoryDb  *db,
          gpointer          data,
          gpointer         *result,
          GError          **error)
{
  SaveData *save = data;

  return confab_history_db_save (db, save->snapshot, error);
}

gboolean
confab_history_store_save (ConfabHistoryStore  *self,
                           ConfabConversation  *conversation,
                           GCancellable        *cancellable,
                           GError             **error)
{
  SaveData *save;
  gboolean ok;

  g_return_val_if_fail (CONFAB_IS_HISTORY_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (conversation), FALSE);

  save = save_data_new (conversation);
  ok = run_sync (self, job_save, save, NULL, cancellable, error);
  if (ok)
    save_data_assign_ids (save);
  save_data_free (save);
  return ok;
}

void
confab_history_store_save_async (ConfabHistoryStore  *self,
                                 ConfabConversation  *conversation,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (CONFAB_IS_HISTORY_STORE (self));
  g_return_if_fail (CONFAB_IS_CONVERSATION (conversation));

  run_async (self, job_save, save_data_new (conversation), save_data_free, NULL,
             confab_history_store_save_async, cancellable, callback, user_data);
}

/* Gives the saved messages their ids, on the thread that owns them. */
gboolean
confab_history_store_save_finish (ConfabHistoryStore  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  if (!finish_boolean (self, result, confab_history_store_save_async, error))
    return FALSE;
  save_data_assign_ids (task_job_data (result));
  return TRUE;
}

/* update_message: every field of a saved message that can change, and
 * the "updated" time of its conversation */

typedef struct
{
  char                    *conversation_id;
  gint64                   updated;
  ConfabHistoryMessageRow *row;
} UpdateData;

static void
update_data_free (gpointer data)
{
  UpdateData *update = data;

  g_free (update->conversation_id);
  confab_history_message_row_free (update->row);
  g_free (update);
}

static UpdateData *
update_data_new (ConfabConversation *conversation,
                 ConfabMessage      *message)
{
  UpdateData *update = g_new0 (UpdateData, 1);

  update->conversation_id = g_strdup (confab_conversation_get_id (conversation));
  update->updated = confab_conversation_get_updated (conversation);
  update->row = confab_history_message_row_new (message);
  return update;
}

static gboolean
job_update_message (ConfabHistoryDb  *db,
                    gpointer          data,
                    gpointer         *result,
                    GError          **error)
{
  UpdateData *update = data;

  return confab_history_db_update_message (db, update->conversation_id, update->updated,
                                           update->row, error);
}

gboolean
confab_history_store_update_message (ConfabHistoryStore  *self,
                                     ConfabConversation  *conversation,
                                     ConfabMessage       *message,
                                     GCancellable        *cancellable,
                                     GError             **error)
{
  UpdateData *update;
  gboolean ok;

  g_return_val_if_fail (CONFAB_IS_HISTORY_STORE (self), FALSE);
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (conversation), FALSE);
  g_return_val_if_fail (CONFAB_IS_MESSAGE (message), FALSE);
  g_return_val_if_fail (confab_message_get_id (message) != 0, FALSE);

  update = update_data_new (conversation, message);
  ok = run_sync (self, job_update_message, update, NULL, cancellable, error);
  update_data_free (update);
  return ok;
}

void
confab_history_store_update_message_async (ConfabHistoryStore  *self,
                                           ConfabConversation  *conversation,
                                           ConfabMessage       *message,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_return_if_fail (CONFAB_IS_HISTORY_STORE (self));
  g_return_if_fail (CONFAB_IS_CONVERSATION (conversation));
  g_return_if_fail (CONFAB_IS_MESSAGE (message));
  g_return_if_fail (confab_message_get_id (message) != 0);

  run_async (self, job_update_message, update_data_new (conversation, message),
             update_data_free, NULL, confab_history_store_update_message_async,
             cancellable, callback, user_data);
}

gboolean
confab_history_store_update_message_finish (ConfabHistoryStore  *self,
                                            GAsyncResult        *result,
                                            GError             **error)
{
  return finish_boolean (self, result, confab_history_store_update_message_async, error);
}

/* rename */

typedef struct
{
  char *id;
  char *title;
} RenameData;

static void
rename_data_free (gpointer data)
{
  RenameData *rename = data;

  g_free (rename->id);
  g_free (rename->title);
  g_free (rename);
}

static RenameData *
rename_data_new (const char *id,
                 const char *title)
{
  RenameData *rename = g_new0 (RenameData, 1);

  rename->id = g_strdup (id);
  rename->title = g_strdup (title);
  return rename;
}

static gboolean
job_rename (ConfabHistoryDb  *db,
            gpointer          data,
            gpointer         *result,
            GError          **error)
{
  RenameData *rename = data;

  return confab_history_db_rename (db, rename->id, rename->title, error);
}

gboolean
confab_history_store_rename (ConfabHistoryStore  *self,
                             const char          *id,
                             const char          *title,
                             GCancellable        *cancellable,
                             GError             **error)
{
  RenameData rename = { (char *)id, (char *)title };

  g_return_val_if_fail (CONFAB_IS_HISTORY_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL && title != NULL, FALSE);

  return run_sync (self, job_rename, &rename, NULL, cancellable, error);
}

void
confab_history_store_rename_async (ConfabHistoryStore  *self,
                                   const char          *id,
                                   const char          *title,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (CONFAB_IS_HISTORY_STORE (self));
  g_return_if_fail (id != NULL && title != NULL);

  run_async (self, job_rename, rename_data_new (id, title), rename_data_free, NULL,
             confab_history_store_rename_async, cancellable, callback, user_data);
}

gboolean
confab_history_store_rename_finish (ConfabHistoryStore  *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  return finish_boolean (self, result, confab_history_store_rename_async, error);
}

/* delete: a conversation and its messages */

static gboolean
job_delete (ConfabHistoryDb  *db,
            gpointer          data,
            gpointer         *result,
            GError          **error)
{
  return confab_history_db_delete (db, data, error);
}

gboolean
confab_history_store_delete (ConfabHistoryStore  *self,
                             const char          *id,
                             GCancellable        *cancellable,
                             GError             **error)
{
  g_return_val_if_fail (CONFAB_IS_HISTORY_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  return run_sync (self, job_delete, (gpointer)id, NULL, cancellable, error);
}

void
confab_history_store_delete_async (ConfabHistoryStore  *self,
                                   const char          *id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (CONFAB_IS_HISTORY_STORE (self));
  g_return_if_fail (id != NULL);

  run_async (self, job_delete, g_strdup (id), g_free, NULL,
             confab_history_store_delete_async, cancellable, callback, user_data);
}

gboolean
confab_history_store_delete_finish (ConfabHistoryStore  *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  return finish_boolean (self, result, confab_history_store_delete_async, error);
}

/* search */

typedef struct
{
  char  *query;
  guint  limit;
} SearchData;

static void
search_data_free (gpointer data)
{
  SearchData *search = data;

  g_free (search->query);
  g_free (search);
}

static gboolean
job_search (ConfabHistoryDb  *db,
            gpointer          data,
            gpointer         *result,
            GError          **error)
{
  SearchData *search = data;

  *result = confab_history_db_search (db, search->query, search->limit, error);
  return *result != NULL;
}

/* Returns: (element-type ConfabHistoryHit): conversations matching every
 * word of @query, most relevant first; @limit 0 means 50. */
GPtrArray *
confab_history_store_search (ConfabHistoryStore  *self,
                             const char          *query,
                             guint                limit,
                             GCancellable        *cancellable,
                             GError             **error)
{
  SearchData search = { (char *)query, limit };
  gpointer result = NULL;

  g_return_val_if_fail (CONFAB_IS_HISTORY_STORE (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  run_sync (self, job_search, &search, &result, cancellable, error);
  return result;
}

void
confab_history_store_search_async (ConfabHistoryStore  *self,
                                   const char          *query,
                                   guint                limit,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  SearchData *search;

  g_return_if_fail (CONFAB_IS_HISTORY_STORE (self));
  g_return_if_fail (query != NULL);

  search = g_new0 (SearchData, 1);
  search->query = g_strdup (query);
  search->limit = limit;
  run_async (self, job_search, search, search_data_free, (GDestroyNotify)g_ptr_array_unref,
             confab_history_store_search_async, cancellable, callback, user_data);
}

GPtrArray *
confab_history_store_search_finish (ConfabHistoryStore  *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  return finish_pointer (self, result, confab_history_store_search_async, error);
}

/* import: adds conversations whose ids are new, in one transaction;
 * those already present are counted, never overwritten */

typedef struct
{
  GPtrArray *snapshots;
  guint      n_imported;
  guint      n_skipped;
} ImportData;

static void
import_data_free (gpointer data)
{
  ImportData *import = data;

  g_ptr_array_unref (import->snapshots);
  g_free (import);
}

static ImportData *
import_data_new (GPtrArray *conversations)
{
  ImportData *import = g_new0 (ImportData, 1);

  import->snapshots =
    g_ptr_array_new_with_free_func ((GDestroyNotify)confab_history_snapshot_free);
  for (guint i = 0; i < conversations->len; i++)
    g_ptr_array_add (import->snapshots,
                     confab_history_snapshot_new (g_ptr_array_index (conversations, i), FALSE));
  return import;
}

static gboolean
job_import (ConfabHistoryDb  *db,
            gpointer          data,
            gpointer         *result,
            GError          **error)
{
  ImportData *import = data;

  return confab_history_db_import (db, import->snapshots, &import->n_imported,
                                   &import->n_skipped, error);
}

gboolean
confab_history_store_import (ConfabHistoryStore  *self,
                             GPtrArray           *conversations,
                             guint               *n_imported,
                             guint               *n_skipped,
                             GCancellable        *cancellable,
                             GError             **error)
{
  ImportData *import;
  gboolean ok;

  g_return_val_if_fail (CONFAB_IS_HISTORY_STORE (self), FALSE);
  g_return_val_if_fail (conversations != NULL, FALSE);

  import = import_data_new (conversations);
  ok = run_sync (self, job_import, import, NULL, cancellable, error);
  if (ok && n_imported != NULL)
    *n_imported = import->n_imported;
  if (ok && n_skipped != NULL)
    *n_skipped = import->n_skipped;
  import_data_free (import);
  return ok;
}

void
confab_history_store_import_async (ConfabHistoryStore  *self,
                                   GPtrArray           *conversations,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (CONFAB_IS_HISTORY_STORE (self));
  g_return_if_fail (conversations != NULL);

  run_async (self, job_import, import_data_new (conversations), import_data_free, NULL,
             confab_history_store_import_async, cancellable, callback, user_data);
}

gboolean
confab_history_store_import_finish (ConfabHistoryStore  *self,
                                    GAsyncResult        *result,
                                    guint               *n_imported,
                                    guint               *n_skipped,
                                    GError             **error)
{
  ImportData *import;

  if (!finish_boolean (self, result, confab_history_store_import_async, error))
    return FALSE;
  import = task_job_data (result);
  if (n_imported != NULL)
    *n_imported = import->n_imported;
  if (n_skipped != NULL)
    *n_skipped = import->n_skipped;
  return TRUE;
}
