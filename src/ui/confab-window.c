/* confab-window.c
 *
 * The sidebar lists the history's conversations, newest first, and
 * searches them as the user types. confab-cli writes to the same
 * database, so the list is read again when the window gets the focus and
 * every few seconds while it is shown. Without an account the window
 * shows the welcome page instead, offering a local Ollama server when one
 * answers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "confab-conversation-row.h"
#include "confab-history-hit.h"
#include "confab-model-list.h"
#include "confab-util.h"
#include "confab-window-private.h"

#define REFRESH_INTERVAL_S 3
#define LIST_LIMIT         2000
#define SEARCH_LIMIT       200
/* GTK 4.8's list views bind up to 200 rows around the visible ones. The
 * sidebar shows the newest conversations a page at a time, the next page
 * once the user scrolls within a screen of the end, so that opening the
 * window binds a few screenfuls of rows instead of 200. */
#define SIDEBAR_PAGE       60
#define OLLAMA_URL         "http://127.0.0.1:11434"

G_DEFINE_FINAL_TYPE (ConfabWindow, confab_window, ADW_TYPE_APPLICATION_WINDOW)

/* Toast titles are Pango markup in libadwaita 1.2, and ours often carry a
 * provider's or the database's message: escape them. */
void
_confab_window_toast (ConfabWindow *self,
                      const char   *title)
{
  g_autofree char *escaped = g_markup_escape_text (title, -1);
  AdwToast *toast = adw_toast_new (escaped);

  adw_toast_set_timeout (toast, 4);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static ConfabApplication *
get_app (ConfabWindow *self)
{
  return CONFAB_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
}

/* Sidebar */

static void
update_sidebar_page (ConfabWindow *self)
{
  GListModel *model = gtk_single_selection_get_model (self->sidebar_selection);
  gboolean searching = model == G_LIST_MODEL (self->hits);
  guint n = g_list_model_get_n_items (model);

  if (n > 0)
    gtk_stack_set_visible_child_name (self->sidebar_stack, "list");
  else
    gtk_stack_set_visible_child_name (self->sidebar_stack, searching ? "no-results" : "empty");
}

static const char *
item_conversation_id (gpointer item)
{
  if (CONFAB_IS_CONVERSATION (item))
    return confab_conversation_get_id (item);
  if (CONFAB_IS_HISTORY_HIT (item))
    return confab_history_hit_get_conversation_id (item);
  return NULL;
}

static gboolean
find_in_model (GListModel *model,
               const char *id,
               guint      *position)
{
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; id != NULL && i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);

      if (g_strcmp0 (item_conversation_id (item), id) == 0)
        {
          *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

/* Shows at least the first @n conversations in the sidebar. */
static void
show_sidebar_rows (ConfabWindow *self,
                   guint         n)
{
  guint size = gtk_slice_list_model_get_size (self->sidebar_slice);

  if (n > size)
    gtk_slice_list_model_set_size (self->sidebar_slice,
                                   (n + SIDEBAR_PAGE - 1) / SIDEBAR_PAGE * SIDEBAR_PAGE);
}

static void
select_current_in_sidebar (ConfabWindow *self)
{
  GListModel *model = gtk_single_selection_get_model (self->sidebar_selection);
  const char *id = self->current ? confab_conversation_get_id (self->current) : NULL;
  guint position;

  /* The conversation shown may be further down than the sidebar shows. */
  if (model == G_LIST_MODEL (self->sidebar_slice) &&
      find_in_model (G_LIST_MODEL (self->conversations), id, &position))
    show_sidebar_rows (self, position + 1);

  self->selecting = TRUE;
  if (find_in_model (model, id, &position))
    gtk_single_selection_set_selected (self->sidebar_selection, position);
  else
    gtk_single_selection_set_selected (self->sidebar_selection, GTK_INVALID_LIST_POSITION);
  self->selecting = FALSE;
}

/* Choosing a row opens its conversation, as in GNOME's sidebars: with the
 * keyboard's arrows, and for assistive technologies, which select. */
static void
on_sidebar_selection_changed (ConfabWindow *self)
{
  g_autoptr(GObject) item = NULL;

  if (self->selecting)
    return;
  item = gtk_single_selection_get_selected_item (self->sidebar_selection) != NULL
         ? g_object_ref (gtk_single_selection_get_selected_item (self->sidebar_selection)) : NULL;
  if (item != NULL)
    confab_window_open_conversation (self, item_conversation_id (item));
}

static gboolean
list_differs (GListModel *model,
              GPtrArray  *list)
{
  if (g_list_model_get_n_items (model) != list->len)
    return TRUE;

  for (guint i = 0; i < list->len; i++)
    {
      g_autoptr(ConfabConversation) old = g_list_model_get_item (model, i);
      ConfabConversation *new = g_ptr_array_index (list, i);

      if (g_strcmp0 (confab_conversation_get_id (old), confab_conversation_get_id (new)) != 0 ||
          g_strcmp0 (confab_conversation_get_title (old), confab_conversation_get_title (new)) != 0 ||
          confab_conversation_get_updated (old) != confab_conversation_get_updated (new))
        return TRUE;
    }
  return FALSE;
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(ConfabWindow) self = user_data;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;

  self->refreshing = FALSE;
  list = confab_history_store_list_finish (CONFAB_HISTORY_STORE (source), result, &error);
  if (list == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not list the conversations: %s", error->message);
      return;
    }

  for (guint i = list->len; i > 0; i--)
    if (g_hash_table_contains (self->deleting,
                               confab_conversation_get_id (g_ptr_array_index (list, i - 1))))
      g_ptr_array_remove_index (list, i - 1);

  if (list_differs (G_LIST_MODEL (self->conversations), list))
    {
      self->selecting = TRUE;
      g_list_store_splice (self->conversations, 0,
                           g_list_model_get_n_items (G_LIST_MODEL (self->conversations)),
                           list->pdata, list->len);
      self->selecting = FALSE;
      select_current_in_sidebar (self);
    }
  update_sidebar_page (self);
}

void
_confab_window_refresh_list (ConfabWindow *self)
{
  if (self->history == NULL || self->refreshing)
    return;
  self->refreshing = TRUE;
  confab_history_store_list_async (self->history, LIST_LIMIT, self->cancellable,
                                   on_listed, g_object_ref (self));
}

static gboolean
refresh_timeout_cb (gpointer user_data)
{
  ConfabWindow *self = user_data;

  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    _confab_window_refresh_list (self);
  return G_SOURCE_CONTINUE;
}

static void
on_active_changed (ConfabWindow *self)
{
  if (gtk_window_is_active (GTK_WINDOW (self)))
    _confab_window_refresh_list (self);
}

static void
on_searched (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(ConfabWindow) self = user_data;
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GError) error = NULL;

  hits = confab_history_store_search_finish (CONFAB_HISTORY_STORE (source), result, &error);
  if (hits == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _confab_window_toast (self, error->message);
      return;
    }

  self->selecting = TRUE;
  g_list_store_splice (self->hits, 0, g_list_model_get_n_items (G_LIST_MODEL (self->hits)),
                       hits->pdata, hits->len);
  gtk_single_selection_set_model (self->sidebar_selection, G_LIST_MODEL (self->hits));
  self->selecting = FALSE;
  select_current_in_sidebar (self);
  update_sidebar_page (self);
}

static void
on_search_changed (ConfabWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);

  if (confab_str_is_blank (text) || self->history == NULL)
    {
      self->selecting = TRUE;
      gtk_single_selection_set_model (self->sidebar_selection, G_LIST_MODEL (self->sidebar_slice));
      self->selecting = FALSE;
      select_current_in_sidebar (self);
      update_sidebar_page (self);
      return;
    }

  self->search_cancellable = g_cancellable_new ();
  confab_history_store_search_async (self->history, text, SEARCH_LIMIT, self->search_cancellable,
                                     on_searched, g_object_ref (self));
}

static void
on_stop_search (ConfabWindow *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_widget_grab_focus (GTK_WIDGET (self->composer));
}

/* Enter in the search opens the best match. */
static void
on_search_activate (ConfabWindow *self)
{
  GListModel *model = gtk_single_selection_get_model (self->sidebar_selection);
  g_autoptr(GObject) first = g_list_model_get_item (model, 0);

  if (first != NULL)
    confab_window_open_conversation (self, item_conversation_id (first));
}

static void
on_conversation_activated (ConfabWindow *self,
                           guint         position)
{
  GListModel *model = gtk_single_selection_get_model (self->sidebar_selection);
  g_autoptr(GObject) item = g_list_model_get_item (model, position);

  if (item != NULL)
    confab_window_open_conversation (self, item_conversation_id (item));
}

static void
setup_sidebar_row_cb (GtkSignalListItemFactory *factory,
                      GtkListItem              *item)
{
  gtk_list_item_set_child (item, confab_conversation_row_new ());
}

static void
bind_sidebar_row_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item)
{
  confab_conversation_row_set_item (CONFAB_CONVERSATION_ROW (gtk_list_item_get_child (item)),
                                    gtk_list_item_get_item (item));
}

static void
unbind_sidebar_row_cb (GtkSignalListItemFactory *factory,
                       GtkListItem              *item)
{
  confab_conversation_row_set_item (CONFAB_CONVERSATION_ROW (gtk_list_item_get_child (item)), NULL);
}

static gboolean
grow_sidebar_cb (gpointer user_data)
{
  ConfabWindow *self = user_data;

  self->grow_sidebar_id = 0;
  show_sidebar_rows (self, gtk_slice_list_model_get_size (self->sidebar_slice) + 1);
  g_debug ("The sidebar shows up to %u conversations",
           gtk_slice_list_model_get_size (self->sidebar_slice));
  return G_SOURCE_REMOVE;
}

/* Within a screen of the end of what the sidebar shows, it shows the next
 * page (from an idle: the adjustment also moves while the list is laid
 * out, when its model must not change). A window taller than the rows
 * shown gets the next page at once. */
static void
on_sidebar_scrolled (ConfabWindow *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->sidebar_scroller);
  double page = gtk_adjustment_get_page_size (adjustment);
  double upper = gtk_adjustment_get_upper (adjustment);
  double below = upper - gtk_adjustment_get_value (adjustment) - page;
  guint shown = gtk_slice_list_model_get_size (self->sidebar_slice);

  if (self->grow_sidebar_id != 0 || page <= 0 || upper <= 0 || below > page ||
      shown >= g_list_model_get_n_items (G_LIST_MODEL (self->conversations)))
    return;
  self->grow_sidebar_id = g_idle_add (grow_sidebar_cb, self);
}

static void
setup_sidebar (ConfabWindow *self)
{
  GtkAdjustment *adjustment;
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_sidebar_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_sidebar_row_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_sidebar_row_cb), NULL);
  gtk_list_view_set_factory (self->conversation_list, factory);
  g_object_unref (factory);

  self->conversations = g_list_store_new (CONFAB_TYPE_CONVERSATION);
  self->hits = g_list_store_new (CONFAB_TYPE_HISTORY_HIT);
  self->sidebar_slice = gtk_slice_list_model_new (g_object_ref (G_LIST_MODEL (self->conversations)),
                                                  0, SIDEBAR_PAGE);
  self->sidebar_selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->sidebar_slice)));
  gtk_single_selection_set_autoselect (self->sidebar_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->sidebar_selection, TRUE);
  gtk_single_selection_set_selected (self->sidebar_selection, GTK_INVALID_LIST_POSITION);
  gtk_list_view_set_model (self->conversation_list, GTK_SELECTION_MODEL (self->sidebar_selection));
  g_signal_connect_object (self->sidebar_selection, "selection-changed",
                           G_CALLBACK (on_sidebar_selection_changed), self, G_CONNECT_SWAPPED);
  adjustment = gtk_scrolled_window_get_vadjustment (self->sidebar_scroller);
  g_signal_connect_object (adjustment, "value-changed",
                           G_CALLBACK (on_sidebar_scrolled), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (adjustment, "changed",
                           G_CALLBACK (on_sidebar_scrolled), self, G_CONNECT_SWAPPED);
  update_sidebar_page (self);
}

/* Opening conversations */

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(ConfabWindow) self = user_data;
  g_autoptr(ConfabConversation) conversation = NULL;
  g_autoptr(GError) error = NULL;

  conversation = confab_history_store_load_finish (CONFAB_HISTORY_STORE (source), result, &error);
  if (conversation == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _confab_window_toast (self, error->message);
      return;
    }
  _confab_window_show_conversation (self, conversation);
}

/**
 * confab_window_open_conversation:
 * @id: a conversation id
 *
 * Shows a conversation of the history. One that is streaming is shown as
 * it is in memory, so its reply keeps arriving on screen.
 */
void
confab_window_open_conversation (ConfabWindow *self,
                                 const char   *id)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (CONFAB_IS_WINDOW (self));
  g_return_if_fail (id != NULL);

  if (self->current != NULL && g_str_equal (confab_conversation_get_id (self->current), id))
    {
      _confab_window_show_conversation (self, self->current);
      return;
    }

  g_hash_table_iter_init (&iter, self->runners);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      ConfabConversation *running = confab_chat_runner_get_conversation (value);

      if (g_str_equal (confab_conversation_get_id (running), id))
        {
          _confab_window_show_conversation (self, running);
          return;
        }
    }

  if (self->history == NULL)
    return;
  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();
  confab_history_store_load_async (self->history, id, self->load_cancellable,
                                   on_loaded, g_object_ref (self));
}

static ConfabAccount *
default_account (ConfabWindow *self)
{
  g_autofree char *id = g_settings_get_string (self->settings, "default-account");
  ConfabAccount *account = confab_account_store_lookup_by_id (self->accounts, id);

  return account != NULL ? account : confab_account_store_get_default (self->accounts);
}

/* An empty conversation that joins the history with its first message. */
void
confab_window_new_chat (ConfabWindow *self)
{
  g_autofree char *id = confab_new_id ();
  g_autoptr(ConfabConversation) conversation = confab_conversation_new (id);
  ConfabAccount *account;

  g_return_if_fail (CONFAB_IS_WINDOW (self));

  if ((account = default_account (self)) != NULL)
    {
      g_autofree char *model = confab_model_cache_dup_default_model (account);

      confab_conversation_set_account_id (conversation, confab_account_get_id (account));
      confab_conversation_set_model (conversation, model);
    }
  _confab_window_show_conversation (self, conversation);
  gtk_widget_grab_focus (GTK_WIDGET (self->composer));
}

/* Welcome page */

static void
update_main_page (ConfabWindow *self)
{
  gboolean has_accounts = g_list_model_get_n_items (G_LIST_MODEL (self->accounts)) > 0;

  gtk_stack_set_visible_child_name (self->main_stack, has_accounts ? "chat" : "welcome");
  if (has_accounts && self->current != NULL &&
      confab_model_selector_get_account (self->model_selector) == NULL)
    confab_model_selector_select (self->model_selector,
                                  confab_conversation_get_account_id (self->current),
                                  confab_conversation_get_model (self->current));
}

static void
on_ollama_models (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(ConfabWindow) self = user_data;
  g_autoptr(GPtrArray) models = NULL;
  g_autofree char *label = NULL;

  models = confab_model_list_fetch_finish (result, NULL);
  /* No server, or one without models: nothing to offer. */
  if (models == NULL || models->len == 0 || self->ollama_account == NULL)
    {
      g_clear_object (&self->ollama_account);
      return;
    }

  confab_account_set_model (self->ollama_account, g_ptr_array_index (models, 0));
  label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                        "Use the Local Ollama Server (%u model)",
                                        "Use the Local Ollama Server (%u models)", models->len),
                           models->len);
  gtk_button_set_label (self->ollama_button, label);
  gtk_widget_set_visible (GTK_WIDGET (self->ollama_button), TRUE);
}

/* The UI does no HTTP itself: listing the models through the ollama
 * provider is the probe. */
static void
probe_ollama (ConfabWindow *self)
{
  const char *url = g_getenv ("CONFAB_OLLAMA_URL");

  if (self->ollama_account != NULL || confab_provider_info_lookup ("ollama") == NULL)
    return;

  self->ollama_account = confab_account_new (NULL, _("Ollama (local)"), "ollama");
  confab_account_set_base_url (self->ollama_account, url != NULL ? url : OLLAMA_URL);
  confab_model_list_fetch_async (self->ollama_account, self->cancellable,
                                 on_ollama_models, g_object_ref (self));
}

static void
on_ollama_clicked (ConfabWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (self->ollama_account == NULL)
    return;
  if (!confab_account_store_add (self->accounts, self->ollama_account, &error) ||
      !confab_application_save_accounts (get_app (self), &error))
    {
      _confab_window_toast (self, error->message);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->ollama_button), FALSE);
  g_clear_object (&self->ollama_account);
  confab_window_new_chat (self);
}

static void
on_accounts_changed (ConfabWindow *self)
{
  update_main_page (self);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->accounts)) == 0)
    probe_ollama (self);
}

/* Layout */

static void
on_folded_changed (ConfabWindow *self)
{
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child (self->leaflet, gtk_widget_get_last_child (GTK_WIDGET (self->leaflet)));
}

static void
on_back_clicked (ConfabWindow *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
on_composer_stop (ConfabWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "chat.stop", NULL);
}

static void
on_new_chat_clicked (ConfabWindow *self)
{
  confab_window_new_chat (self);
}

static gboolean
on_composer_send (ConfabWindow *self,
                  const char   *text)
{
  return _confab_window_on_composer_send (self, text);
}

static void
on_message_action (ConfabWindow  *self,
                   ConfabMessage *message,
                   const char    *name,
                   const char    *parameter)
{
  _confab_window_on_message_action (self, message, name, parameter);
}

static void
on_conversation_settings_changed (ConfabWindow *self)
{
  ConfabConversation *conversation = confab_conversation_settings_get_conversation (self->conversation_settings);

  /* Conversations join the history with their first message. */
  if (conversation != NULL && g_list_model_get_n_items (G_LIST_MODEL (conversation)) > 0)
    _confab_window_save_conversation (self, conversation);
}

/* History */

static void
set_history (ConfabWindow       *self,
             ConfabHistoryStore *history)
{
  g_autofree char *last = NULL;

  if (!g_set_object (&self->history, history) || history == NULL)
    return;

  _confab_window_refresh_list (self);
  last = g_settings_get_string (self->settings, "last-conversation");
  if (*last != '\0' && (self->current == NULL || g_list_model_get_n_items (G_LIST_MODEL (self->current)) == 0))
    confab_window_open_conversation (self, last);
}

static void
on_history_ready (ConfabWindow *self)
{
  ConfabApplication *app = get_app (self);
  const GError *error = confab_application_get_history_error (app);

  if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The history is unavailable, chats will not be kept: %s"),
                                               error->message);
      g_autofree char *escaped = g_markup_escape_text (text, -1);
      AdwToast *toast = adw_toast_new (escaped);

      adw_toast_set_timeout (toast, 0);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
      return;
    }
  set_history (self, confab_application_get_history (app));
}

/* Window actions */

static void
new_chat_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  confab_window_new_chat (CONFAB_WINDOW (widget));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);

  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->sidebar));
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

typedef struct
{
  ConfabWindow       *self;
  ConfabConversation *conversation;
  guint               position;
  gboolean            undone;
  gboolean            deleted;
} PendingDelete;

static void
pending_delete_free (PendingDelete *pending)
{
  g_ptr_array_remove (pending->self->pending_deletes, pending);
  g_object_unref (pending->self);
  g_object_unref (pending->conversation);
  g_free (pending);
}

static void
pending_delete_closure_free (gpointer  data,
                             GClosure *closure)
{
  pending_delete_free (data);
}

typedef struct
{
  ConfabWindow *self;
  char         *id;
} DeleteData;

static void
delete_data_free (DeleteData *data)
{
  g_object_unref (data->self);
  g_free (data->id);
  g_free (data);
}

static void
on_deleted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  DeleteData *data = user_data;
  ConfabWindow *self = data->self;
  g_autoptr(GError) error = NULL;
  GApplication *app = g_application_get_default ();

  if (!confab_history_store_delete_finish (CONFAB_HISTORY_STORE (source), result, &error))
    _confab_window_toast (self, error->message);
  if (self->deleting != NULL)
    {
      g_hash_table_remove (self->deleting, data->id);
      _confab_window_refresh_list (self);
    }
  delete_data_free (data);
  if (app != NULL)
    g_application_release (app);
}

/* The application stays up until the database has forgotten it, even
 * when this was the last window. */
static void
finish_delete (PendingDelete *pending)
{
  ConfabWindow *self = pending->self;
  GApplication *app = g_application_get_default ();
  DeleteData *data;

  if (pending->undone || pending->deleted || self->history == NULL)
    return;
  pending->deleted = TRUE;
  if (app != NULL)
    g_application_hold (app);
  data = g_new0 (DeleteData, 1);
  data->self = g_object_ref (self);
  data->id = g_strdup (confab_conversation_get_id (pending->conversation));
  confab_history_store_delete_async (self->history, data->id, NULL, on_deleted, data);
}

static void
on_undo_delete (AdwToast      *toast,
                PendingDelete *pending)
{
  ConfabWindow *self = pending->self;
  const char *id = confab_conversation_get_id (pending->conversation);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->conversations));
  guint position;

  if (pending->deleted)
    return;
  pending->undone = TRUE;
  g_hash_table_remove (self->deleting, id);
  if (find_in_model (G_LIST_MODEL (self->conversations), id, &position))
    return;
  self->selecting = TRUE;
  g_list_store_insert (self->conversations, MIN (pending->position, n), pending->conversation);
  self->selecting = FALSE;
  update_sidebar_page (self);
}

/* The row goes at once; the database forgets it only when the toast goes
 * without "Undo" (or the window closes). */
static void
on_delete_toast_dismissed (AdwToast      *toast,
                           PendingDelete *pending)
{
  finish_delete (pending);
}

static void
delete_conversation_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  PendingDelete *pending;
  AdwToast *toast;
  guint position;

  if (!find_in_model (G_LIST_MODEL (self->conversations), id, &position))
    return;
  if (self->current != NULL && g_str_equal (confab_conversation_get_id (self->current), id))
    {
      if (_confab_window_is_busy (self, self->current))
        {
          _confab_window_toast (self, _("Stop the reply before deleting the conversation"));
          return;
        }
      confab_window_new_chat (self);
    }

  pending = g_new0 (PendingDelete, 1);
  pending->self = g_object_ref (self);
  pending->conversation = g_list_model_get_item (G_LIST_MODEL (self->conversations), position);
  pending->position = position;
  g_hash_table_add (self->deleting, g_strdup (id));
  self->selecting = TRUE;
  g_list_store_remove (self->conversations, position);
  self->selecting = FALSE;
  update_sidebar_page (self);

  toast = adw_toast_new (_("Conversation deleted"));
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_signal_connect (toast, "button-clicked", G_CALLBACK (on_undo_delete), pending);
  g_signal_connect_data (toast, "dismissed", G_CALLBACK (on_delete_toast_dismissed), pending,
                         pending_delete_closure_free, 0);
  g_ptr_array_add (self->pending_deletes, pending);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
on_renamed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(ConfabWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!confab_history_store_rename_finish (CONFAB_HISTORY_STORE (source), result, &error))
    _confab_window_toast (self, error->message);
  _confab_window_refresh_list (self);
}

static void
on_rename_response (AdwMessageDialog *dialog,
                    const char       *response,
                    ConfabWindow     *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");
  const char *id = g_object_get_data (G_OBJECT (dialog), "conversation-id");
  g_autofree char *title = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  guint position;

  if (!g_str_equal (response, "rename") || *title == '\0' || self->history == NULL)
    return;

  if (find_in_model (G_LIST_MODEL (self->conversations), id, &position))
    {
      g_autoptr(ConfabConversation) summary =
        g_list_model_get_item (G_LIST_MODEL (self->conversations), position);
      confab_conversation_set_title (summary, title);
    }
  if (self->current != NULL && g_str_equal (confab_conversation_get_id (self->current), id))
    confab_conversation_set_title (self->current, title);

  confab_history_store_rename_async (self->history, id, title, self->cancellable,
                                     on_renamed, g_object_ref (self));
}

static void
rename_conversation_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  g_autoptr(ConfabConversation) summary = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *entry;
  guint position;

  if (!find_in_model (G_LIST_MODEL (self->conversations), id, &position))
    return;
  summary = g_list_model_get_item (G_LIST_MODEL (self->conversations), position);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Rename Conversation"), NULL));
  entry = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (entry), confab_conversation_get_title (summary) ?: "");
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Title"), -1);
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "rename", _("_Rename"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "rename", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "rename");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  g_object_set_data_full (G_OBJECT (dialog), "conversation-id", g_strdup (id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_rename_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* GObject */

static void
restore_size (ConfabWindow *self)
{
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  gtk_widget_set_size_request (GTK_WIDGET (self->sidebar),
                               g_settings_get_int (self->settings, "sidebar-width"), -1);
}

static gboolean
confab_window_close_request (GtkWindow *window)
{
  ConfabWindow *self = CONFAB_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  g_settings_apply (self->settings);

  /* Deletions still offering "Undo" happen now rather than never. */
  for (guint i = 0; i < self->pending_deletes->len; i++)
    finish_delete (g_ptr_array_index (self->pending_deletes, i));

  return GTK_WINDOW_CLASS (confab_window_parent_class)->close_request (window);
}

static void
update_send_key (ConfabWindow *self)
{
  confab_composer_set_send_key (self->composer, g_settings_get_enum (self->settings, "send-key"));
}

static void
update_view_settings (ConfabWindow *self)
{
  confab_conversation_view_set_text_scale (self->conversation_view,
                                           g_settings_get_double (self->settings, "text-size"));
  confab_conversation_view_set_remote_images (self->conversation_view,
                                              g_settings_get_boolean (self->settings, "remote-images"));
}

/* GtkWindow:application is set only after construction. */
static void
setup (ConfabWindow      *self,
       ConfabApplication *app)
{
#if DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif

  self->settings = g_object_ref (confab_application_get_settings (app));
  self->accounts = g_object_ref (confab_application_get_account_store (app));
  self->models = g_object_ref (confab_application_get_model_cache (app));

  restore_size (self);
  g_signal_connect_object (self->settings, "changed::send-key",
                           G_CALLBACK (update_send_key), self, G_CONNECT_SWAPPED);
  update_send_key (self);
  g_signal_connect_object (self->settings, "changed::text-size",
                           G_CALLBACK (update_view_settings), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::remote-images",
                           G_CALLBACK (update_view_settings), self, G_CONNECT_SWAPPED);
  update_view_settings (self);

  confab_model_selector_set_model_cache (self->model_selector, self->models);
  confab_model_selector_set_account_store (self->model_selector, self->accounts);
  confab_conversation_view_set_account_store (self->conversation_view, self->accounts);

  g_signal_connect_object (self->accounts, "items-changed",
                           G_CALLBACK (on_accounts_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (app, "notify::history", G_CALLBACK (on_history_ready), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (app, "notify::history-error", G_CALLBACK (on_history_ready), self,
                           G_CONNECT_SWAPPED);

  confab_window_new_chat (self);
  on_accounts_changed (self);
  if (confab_application_get_history (app) != NULL || confab_application_get_history_error (app) != NULL)
    on_history_ready (self);

  self->refresh_id = g_timeout_add_seconds (REFRESH_INTERVAL_S, refresh_timeout_cb, self);
}

static void
confab_window_dispose (GObject *object)
{
  ConfabWindow *self = (ConfabWindow *)object;

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->search_cancellable);
  g_cancellable_cancel (self->load_cancellable);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  _confab_window_chat_dispose (self);
  if (self->conversation_list != NULL)
    gtk_list_view_set_model (self->conversation_list, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_WINDOW);

  g_clear_handle_id (&self->grow_sidebar_id, g_source_remove);
  g_clear_object (&self->sidebar_selection);
  g_clear_object (&self->sidebar_slice);
  g_clear_object (&self->conversations);
  g_clear_object (&self->hits);
  g_clear_object (&self->current);
  g_clear_object (&self->ollama_account);
  g_clear_object (&self->history);
  g_clear_object (&self->models);
  g_clear_object (&self->accounts);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->search_cancellable);
  g_clear_object (&self->load_cancellable);

  G_OBJECT_CLASS (confab_window_parent_class)->dispose (object);
}

static void
confab_window_finalize (GObject *object)
{
  ConfabWindow *self = (ConfabWindow *)object;

  g_clear_pointer (&self->pending_deletes, g_ptr_array_unref);
  g_clear_pointer (&self->runners, g_hash_table_unref);
  g_clear_pointer (&self->rewriting, g_hash_table_unref);
  g_clear_pointer (&self->deleting, g_hash_table_unref);

  G_OBJECT_CLASS (confab_window_parent_class)->finalize (object);
}

static void
confab_window_class_init (ConfabWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = confab_window_dispose;
  object_class->finalize = confab_window_finalize;
  window_class->close_request = confab_window_close_request;

  /* Not "win.": GtkApplicationWindow's own "win" group would shadow them
   * for widgets that looked them up before it was inserted. */
  gtk_widget_class_install_action (widget_class, "chat.new", NULL, new_chat_action);
  gtk_widget_class_install_action (widget_class, "chat.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "chat.rename-conversation", "s",
                                   rename_conversation_action);
  gtk_widget_class_install_action (widget_class, "chat.delete-conversation", "s",
                                   delete_conversation_action);
  _confab_window_chat_class_init (widget_class);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/confab/Confab/confab-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, composer);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, conversation_list);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, conversation_settings);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, conversation_view);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, model_selector);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, ollama_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, sidebar_scroller);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, toast_overlay);
  gtk_widget_class_bind_template_callback (widget_class, on_active_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_composer_send);
  gtk_widget_class_bind_template_callback (widget_class, on_composer_stop);
  gtk_widget_class_bind_template_callback (widget_class, on_conversation_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_conversation_settings_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_folded_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_message_action);
  gtk_widget_class_bind_template_callback (widget_class, on_new_chat_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_ollama_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);

  g_type_ensure (CONFAB_TYPE_COMPOSER);
  g_type_ensure (CONFAB_TYPE_CONVERSATION_SETTINGS);
  g_type_ensure (CONFAB_TYPE_CONVERSATION_VIEW);
  g_type_ensure (CONFAB_TYPE_MODEL_SELECTOR);
}

static void
confab_window_init (ConfabWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->runners = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->pending_deletes = g_ptr_array_new ();
  self->rewriting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->deleting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  setup_sidebar (self);
}

ConfabWindow *
confab_window_new (ConfabApplication *application)
{
  ConfabWindow *self;

  g_return_val_if_fail (CONFAB_IS_APPLICATION (application), NULL);

  self = g_object_new (CONFAB_TYPE_WINDOW, "application", application, NULL);
  setup (self, application);
  return self;
}
