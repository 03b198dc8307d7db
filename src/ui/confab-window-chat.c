/* confab-window-chat.c: sending, stopping and what is done to messages
 *
 * A window streams at most one reply per conversation; other
 * conversations may stream at the same time and keep going when the user
 * switches away. The model selector applies to the next message of the
 * conversation shown; a retry with another account switches it too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "confab-error.h"
#include "confab-remote-image.h"
#include "confab-util.h"
#include "confab-window-private.h"

#define NOTIFICATION_BODY_CHARS 140

ConfabChatRunner *
_confab_window_get_runner (ConfabWindow       *self,
                           ConfabConversation *conversation)
{
  if (conversation == NULL)
    return NULL;
  return g_hash_table_lookup (self->runners, confab_conversation_get_id (conversation));
}

/* Streaming, or being written again: not to be changed for now. */
gboolean
_confab_window_is_busy (ConfabWindow       *self,
                        ConfabConversation *conversation)
{
  if (conversation == NULL)
    return FALSE;
  return _confab_window_get_runner (self, conversation) != NULL ||
         g_hash_table_contains (self->rewriting, confab_conversation_get_id (conversation));
}

static ConfabMessage *
last_reply (ConfabConversation *conversation)
{
  guint n = conversation ? g_list_model_get_n_items (G_LIST_MODEL (conversation)) : 0;

  for (guint i = n; i > 0; i--)
    {
      ConfabMessage *message = confab_conversation_get_message (conversation, i - 1);

      if (confab_message_get_role (message) == CONFAB_ROLE_ASSISTANT &&
          *confab_message_get_text (message) != '\0')
        return message;
    }
  return NULL;
}

void
_confab_window_update_actions (ConfabWindow *self)
{
  gboolean streaming = _confab_window_get_runner (self, self->current) != NULL;

  confab_composer_set_streaming (self->composer, _confab_window_is_busy (self, self->current));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.stop", streaming);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.copy-last-reply",
                                 last_reply (self->current) != NULL);
}

/* Saving */

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(ConfabWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  GApplication *app = g_application_get_default ();

  if (!confab_history_store_save_finish (CONFAB_HISTORY_STORE (source), result, &error))
    _confab_window_toast (self, error->message);
  else
    _confab_window_refresh_list (self);
  if (app != NULL)
    g_application_release (app);
}

/* The conversation's settings and any message not saved yet. */
void
_confab_window_save_conversation (ConfabWindow       *self,
                                  ConfabConversation *conversation)
{
  GApplication *app = g_application_get_default ();

  if (self->history == NULL)
    return;
  if (app != NULL)
    g_application_hold (app);
  confab_history_store_save_async (self->history, conversation, NULL, on_saved, g_object_ref (self));
}

/* Showing */

void
_confab_window_show_conversation (ConfabWindow       *self,
                                  ConfabConversation *conversation)
{
  const char *id = confab_conversation_get_id (conversation);
  gboolean saved = g_list_model_get_n_items (G_LIST_MODEL (conversation)) > 0;

  g_set_object (&self->current, conversation);
  confab_conversation_view_set_conversation (self->conversation_view, conversation);
  confab_conversation_settings_set_conversation (self->conversation_settings, conversation);
  confab_model_selector_select (self->model_selector,
                                confab_conversation_get_account_id (conversation),
                                confab_conversation_get_model (conversation));
  g_settings_set_string (self->settings, "last-conversation", saved ? id : "");
  gtk_window_set_title (GTK_WINDOW (self),
                        saved && confab_conversation_get_title (conversation) != NULL
                        ? confab_conversation_get_title (conversation) : _("Confab"));

  _confab_window_refresh_list (self);
  _confab_window_update_actions (self);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

/* Streaming */

static void
notify_finished (ConfabWindow       *self,
                 ConfabConversation *conversation,
                 ConfabMessage      *reply)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = NULL;
  const char *text;

  if (app == NULL || gtk_window_is_active (GTK_WINDOW (self)))
    return;

  if (confab_message_get_state (reply) == CONFAB_MESSAGE_COMPLETE)
    {
      text = confab_message_get_text (reply);
      notification = g_notification_new (_("Reply ready"));
      body = g_utf8_substring (text, 0, MIN (g_utf8_strlen (text, -1), NOTIFICATION_BODY_CHARS));
    }
  else if (confab_message_get_state (reply) != CONFAB_MESSAGE_CANCELLED)
    {
      notification = g_notification_new (_("The reply failed"));
      body = g_strdup (confab_message_get_error_message (reply));
    }
  else
    return;

  if (body != NULL)
    g_notification_set_body (notification, body);
  g_notification_set_default_action_and_target (notification, "app.open-conversation", "s",
                                                confab_conversation_get_id (conversation));
  id = g_strdup_printf ("reply-%s", confab_conversation_get_id (conversation));
  g_application_send_notification (app, id, notification);
}

static void
on_run (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(ConfabWindow) self = user_data;
  ConfabChatRunner *runner = CONFAB_CHAT_RUNNER (source);
  ConfabConversation *conversation = confab_chat_runner_get_conversation (runner);
  GApplication *app = g_application_get_default ();
  g_autoptr(GError) error = NULL;

  if (!confab_chat_runner_run_finish (runner, result, &error) &&
      g_error_matches (error, CONFAB_HISTORY_ERROR, error->code))
    {
      g_autofree char *text = g_strdup_printf (_("The conversation could not be saved: %s"),
                                               error->message);
      _confab_window_toast (self, text);
    }
  notify_finished (self, conversation, confab_chat_runner_get_reply (runner));
  g_hash_table_remove (self->runners, confab_conversation_get_id (conversation));

  _confab_window_update_actions (self);
  _confab_window_refresh_list (self);
  if (app != NULL)
    g_application_release (app);
}

/* Answers the end of @conversation with @account and @model. */
static void
start_reply (ConfabWindow       *self,
             ConfabConversation *conversation,
             ConfabAccount      *account,
             const char         *model)
{
  g_autoptr(ConfabChatRunner) runner = confab_chat_runner_new (conversation, account, model);
  GApplication *app = g_application_get_default ();

  confab_conversation_set_account_id (conversation, confab_account_get_id (account));
  confab_conversation_set_model (conversation, model);
  confab_conversation_set_updated (conversation, g_get_real_time ());

  confab_chat_runner_set_history (runner, self->history);
  g_hash_table_insert (self->runners, g_strdup (confab_conversation_get_id (conversation)),
                       g_object_ref (runner));
  /* Quitting waits until the reply is saved in its final state. */
  if (app != NULL)
    g_application_hold (app);
  confab_chat_runner_run_async (runner, NULL, on_run, g_object_ref (self));

  confab_conversation_view_scroll_to_bottom (self->conversation_view);
  _confab_window_update_actions (self);
}

static ConfabAccount *
require_account (ConfabWindow *self)
{
  ConfabAccount *account = confab_model_selector_get_account (self->model_selector);

  if (account == NULL)
    {
      _confab_window_toast (self, _("Add an account first"));
      confab_application_show_preferences (CONFAB_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))),
                                           GTK_WINDOW (self), NULL, TRUE);
    }
  return account;
}

static void
append_user_message (ConfabConversation *conversation,
                     const char         *text)
{
  g_autoptr(ConfabMessage) message = confab_message_new (CONFAB_ROLE_USER, text);
  gint64 now = g_get_real_time ();

  if (g_list_model_get_n_items (G_LIST_MODEL (conversation)) == 0)
    {
      g_autofree char *title = confab_conversation_derive_title (text);

      confab_conversation_set_title (conversation, title);
      confab_conversation_set_created (conversation, now);
    }
  confab_message_set_state (message, CONFAB_MESSAGE_COMPLETE);
  confab_message_set_created (message, now);
  confab_conversation_append (conversation, message);
}

gboolean
_confab_window_on_composer_send (ConfabWindow *self,
                                 const char   *text)
{
  ConfabAccount *account;

  if (self->current == NULL || _confab_window_get_runner (self, self->current) != NULL)
    return FALSE;
  if ((account = require_account (self)) == NULL)
    return FALSE;

  append_user_message (self->current, text);
  start_reply (self, self->current, account,
               confab_model_selector_get_model (self->model_selector));
  g_settings_set_string (self->settings, "last-conversation",
                         confab_conversation_get_id (self->current));
  return TRUE;
}

/* Message actions */

static gboolean
find_message (ConfabConversation *conversation,
              ConfabMessage      *message,
              guint              *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (conversation));

  for (guint i = 0; i < n; i++)
    if (confab_conversation_get_message (conversation, i) == message)
      {
        *position = i;
        return TRUE;
      }
  return FALSE;
}

static void
remove_from (ConfabConversation *conversation,
             guint               position)
{
  for (guint n = g_list_model_get_n_items (G_LIST_MODEL (conversation)); n > position; n--)
    confab_conversation_remove (conversation, n - 1);
}

typedef struct
{
  ConfabWindow       *self;
  ConfabConversation *conversation;
  /* The reply to ask for once written; NULL for none */
  ConfabAccount      *account;
  char               *model;
} Rewrite;

static void
rewrite_free (Rewrite *rewrite)
{
  GApplication *app = g_application_get_default ();

  g_hash_table_remove (rewrite->self->rewriting, confab_conversation_get_id (rewrite->conversation));
  _confab_window_update_actions (rewrite->self);
  g_object_unref (rewrite->self);
  g_object_unref (rewrite->conversation);
  g_clear_object (&rewrite->account);
  g_free (rewrite->model);
  g_free (rewrite);
  if (app != NULL)
    g_application_release (app);
}

static void
on_rewritten (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Rewrite *rewrite = user_data;
  ConfabWindow *self = rewrite->self;
  g_autoptr(GError) error = NULL;

  if (!confab_history_store_save_finish (CONFAB_HISTORY_STORE (source), result, &error))
    _confab_window_toast (self, error->message);
  _confab_window_refresh_list (self);

  g_hash_table_remove (self->rewriting, confab_conversation_get_id (rewrite->conversation));
  if (rewrite->account != NULL && error == NULL)
    start_reply (self, rewrite->conversation, rewrite->account, rewrite->model);
  rewrite_free (rewrite);
}

static void
on_deleted_for_rewrite (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(ConfabWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!confab_history_store_delete_finish (CONFAB_HISTORY_STORE (source), result, &error) &&
      !g_error_matches (error, CONFAB_HISTORY_ERROR, CONFAB_HISTORY_ERROR_NOT_FOUND))
    _confab_window_toast (self, error->message);
}

/* The history can add and update messages but not remove them, so after
 * messages were removed the conversation is written again as a whole: its
 * row goes and comes back (the store's worker runs both in order).
 * Nothing else may save it in between, or its messages would be written
 * twice: it counts as busy until then, and a reply (from @account, if not
 * %NULL) starts only afterwards. */
static void
write_again (ConfabWindow  *self,
             ConfabAccount *account,
             const char    *model)
{
  ConfabConversation *conversation = self->current;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (conversation));
  GApplication *app = g_application_get_default ();
  Rewrite *rewrite;

  if (self->history == NULL)
    {
      if (account != NULL)
        start_reply (self, conversation, account, model);
      return;
    }

  for (guint i = 0; i < n; i++)
    confab_message_set_id (confab_conversation_get_message (conversation, i), 0);
  confab_history_store_delete_async (self->history, confab_conversation_get_id (conversation), NULL,
                                     on_deleted_for_rewrite, g_object_ref (self));
  if (n == 0)
    {
      _confab_window_refresh_list (self);
      return;
    }

  rewrite = g_new0 (Rewrite, 1);
  rewrite->self = g_object_ref (self);
  rewrite->conversation = g_object_ref (conversation);
  rewrite->account = account != NULL ? g_object_ref (account) : NULL;
  rewrite->model = g_strdup (model);
  g_hash_table_add (self->rewriting, g_strdup (confab_conversation_get_id (conversation)));
  _confab_window_update_actions (self);
  if (app != NULL)
    g_application_hold (app);
  confab_history_store_save_async (self->history, conversation, NULL, on_rewritten, rewrite);
}

/* Replaces the messages from @position on: with @text (a new user
 * message) if not %NULL, and a reply from @account if not %NULL. */
static void
replace_from (ConfabWindow  *self,
              guint          position,
              const char    *text,
              ConfabAccount *account,
              const char    *model)
{
  remove_from (self->current, position);
  if (text != NULL)
    append_user_message (self->current, text);
  write_again (self, account, model);
}

static void
copy_message (ConfabWindow  *self,
              ConfabMessage *message)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (self));

  gdk_clipboard_set_text (clipboard, confab_message_get_text (message));
  _confab_window_toast (self, _("Copied"));
}

typedef enum
{
  REPLY_AGAIN_SELECTED,   /* regenerate: whatever the selector says */
  REPLY_AGAIN_SAME,       /* retry: the account and model that failed */
  REPLY_AGAIN_ACCOUNT,    /* retry with: another account */
} ReplyAgain;

static void
reply_again_for (ConfabWindow  *self,
                 ConfabMessage *message,
                 ReplyAgain     how,
                 const char    *account_id)
{
  ConfabAccount *account = NULL;
  g_autofree char *model = NULL;
  guint position;

  if (!find_message (self->current, message, &position))
    return;

  switch (how)
    {
    case REPLY_AGAIN_SAME:
      account = confab_account_store_lookup_by_id (self->accounts, confab_message_get_account_id (message));
      model = g_strdup (confab_message_get_model (message));
      break;
    case REPLY_AGAIN_ACCOUNT:
      account = confab_account_store_lookup_by_id (self->accounts, account_id);
      model = account ? confab_model_cache_dup_default_model (account) : NULL;
      /* The blocked account stays blocked: later messages go on here too. */
      if (account != NULL)
        confab_model_selector_select (self->model_selector, account_id, model);
      break;
    case REPLY_AGAIN_SELECTED:
    default:
      account = confab_model_selector_get_account (self->model_selector);
      model = g_strdup (confab_model_selector_get_model (self->model_selector));
      break;
    }

  if (account == NULL)
    {
      _confab_window_toast (self, _("That account no longer exists"));
      return;
    }
  replace_from (self, position, NULL, account, model);
}

typedef struct
{
  ConfabWindow  *self;
  ConfabMessage *message;
} MessageDialogData;

static void
message_dialog_data_free (gpointer data)
{
  MessageDialogData *dialog_data = data;

  g_object_unref (dialog_data->self);
  g_object_unref (dialog_data->message);
  g_free (dialog_data);
}

static AdwMessageDialog *
message_dialog_new (ConfabWindow  *self,
                    ConfabMessage *message,
                    const char    *heading,
                    const char    *body)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));
  MessageDialogData *data = g_new0 (MessageDialogData, 1);

  data->self = g_object_ref (self);
  data->message = g_object_ref (message);
  g_object_set_data_full (G_OBJECT (dialog), "data", data, message_dialog_data_free);
  adw_message_dialog_set_close_response (dialog, "cancel");
  return dialog;
}

static void
on_regenerate_response (AdwMessageDialog *dialog,
                        const char       *response)
{
  MessageDialogData *data = g_object_get_data (G_OBJECT (dialog), "data");

  if (g_str_equal (response, "regenerate"))
    reply_again_for (data->self, data->message, REPLY_AGAIN_SELECTED, NULL);
}

/* Later messages would lose their context: ask before dropping them. */
static void
regenerate (ConfabWindow  *self,
            ConfabMessage *message)
{
  guint position, n = g_list_model_get_n_items (G_LIST_MODEL (self->current));
  AdwMessageDialog *dialog;
  g_autofree char *body = NULL;

  if (!find_message (self->current, message, &position))
    return;
  if (position + 1 == n)
    {
      reply_again_for (self, message, REPLY_AGAIN_SELECTED, NULL);
      return;
    }

  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "The %u message after this reply will be removed.",
                                       "The %u messages after this reply will be removed.",
                                       n - position - 1),
                          n - position - 1);
  dialog = message_dialog_new (self, message, _("Regenerate This Reply?"), body);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "regenerate", _("_Regenerate"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "regenerate", ADW_RESPONSE_DESTRUCTIVE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_regenerate_response), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_edit_response (AdwMessageDialog *dialog,
                  const char       *response)
{
  MessageDialogData *data = g_object_get_data (G_OBJECT (dialog), "data");
  GtkTextView *view = g_object_get_data (G_OBJECT (dialog), "text-view");
  ConfabWindow *self = data->self;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  g_autofree char *text = NULL;
  ConfabAccount *account;
  GtkTextIter start, end;
  guint position;

  if (!g_str_equal (response, "resend") || self->current == NULL ||
      _confab_window_get_runner (self, self->current) != NULL ||
      !find_message (self->current, data->message, &position))
    return;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  if (confab_str_is_blank (text) || (account = require_account (self)) == NULL)
    return;

  replace_from (self, position, text, account, confab_model_selector_get_model (self->model_selector));
}

static void
edit_message (ConfabWindow  *self,
              ConfabMessage *message)
{
  AdwMessageDialog *dialog = message_dialog_new (self, message, _("Edit and Resend"),
                                                 _("The replies after this message will be replaced."));
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *view = gtk_text_view_new ();

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)),
                            confab_message_get_text (message), -1);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 6);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Message"), -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 120);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 320);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_add_css_class (scroller, "card");

  adw_message_dialog_set_extra_child (dialog, scroller);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "resend", _("_Resend"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "resend", ADW_RESPONSE_SUGGESTED);
  g_object_set_data (G_OBJECT (dialog), "text-view", view);
  g_signal_connect (dialog, "response", G_CALLBACK (on_edit_response), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (view);
}

static void
delete_message (ConfabWindow  *self,
                ConfabMessage *message)
{
  guint position;

  if (!find_message (self->current, message, &position))
    return;
  confab_conversation_remove (self->current, position);
  write_again (self, NULL, NULL);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->current)) == 0)
    confab_window_new_chat (self);
}

typedef struct
{
  ConfabWindow *self;
  char         *uri;
} ImageData;

static void
on_image_fetched (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  ImageData *data = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  bytes = confab_remote_image_fetch_finish (result, &error);
  if (bytes != NULL)
    texture = gdk_texture_new_from_bytes (bytes, &error);
  if (texture != NULL)
    confab_conversation_view_set_image (data->self->conversation_view, data->uri, GDK_PAINTABLE (texture));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = g_strdup_printf (_("Could not load the image %s: %s"), data->uri, error->message);
      _confab_window_toast (data->self, text);
    }

  g_object_unref (data->self);
  g_free (data->uri);
  g_free (data);
}

/* The user clicked Load Image (or allowed remote images). */
void
_confab_window_load_image (ConfabWindow *self,
                           const char   *uri)
{
  ImageData *data;

  if (uri == NULL)
    return;
  data = g_new0 (ImageData, 1);
  data->self = g_object_ref (self);
  data->uri = g_strdup (uri);
  confab_remote_image_fetch_async (uri, self->cancellable, on_image_fetched, data);
}

static void
on_open_link_response (AdwMessageDialog *dialog,
                       const char       *response,
                       ConfabWindow     *self)
{
  const char *uri = g_object_get_data (G_OBJECT (dialog), "uri");

  if (g_str_equal (response, "open"))
    gtk_show_uri (GTK_WINDOW (self), uri, GDK_CURRENT_TIME);
}

static gboolean
is_openable (const char *uri)
{
  g_autofree char *scheme = g_uri_parse_scheme (uri);

  return scheme != NULL && (g_ascii_strcasecmp (scheme, "http") == 0 ||
                            g_ascii_strcasecmp (scheme, "https") == 0 ||
                            g_ascii_strcasecmp (scheme, "mailto") == 0);
}

/* A link in a reply is the model's choice, not the user's: show where it
 * goes before anything opens it. */
static void
confirm_open_link (ConfabWindow *self,
                   const char   *uri)
{
  AdwMessageDialog *dialog;

  /* The markdown view reports only these; a second check costs nothing. */
  if (uri == NULL || !is_openable (uri))
    return;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Open This Link?"), uri));
  adw_message_dialog_set_body_use_markup (dialog, FALSE);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "open", _("_Open Link"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "open", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "uri", g_strdup (uri), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_open_link_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
_confab_window_on_message_action (ConfabWindow  *self,
                                  ConfabMessage *message,
                                  const char    *name,
                                  const char    *parameter)
{
  if (g_str_equal (name, "copy"))
    {
      copy_message (self, message);
      return;
    }
  if (g_str_equal (name, "open-link"))
    {
      confirm_open_link (self, parameter);
      return;
    }
  if (g_str_equal (name, "load-image"))
    {
      _confab_window_load_image (self, parameter);
      return;
    }
  if (g_str_equal (name, "edit-account"))
    {
      confab_application_show_preferences (CONFAB_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))),
                                           GTK_WINDOW (self), parameter, FALSE);
      return;
    }

  /* Everything else changes the conversation, which waits for its reply. */
  if (_confab_window_get_runner (self, self->current) != NULL)
    return;

  if (g_str_equal (name, "regenerate"))
    regenerate (self, message);
  else if (g_str_equal (name, "retry"))
    reply_again_for (self, message, REPLY_AGAIN_SAME, NULL);
  else if (g_str_equal (name, "retry-with"))
    reply_again_for (self, message, REPLY_AGAIN_ACCOUNT, parameter);
  else if (g_str_equal (name, "edit"))
    edit_message (self, message);
  else if (g_str_equal (name, "delete"))
    delete_message (self, message);
}

/* Actions */

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  ConfabChatRunner *runner = _confab_window_get_runner (self, self->current);

  if (runner != NULL)
    confab_chat_runner_stop (runner);
}

static void
copy_last_reply_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  ConfabMessage *reply = last_reply (self->current);

  if (reply != NULL)
    copy_message (self, reply);
}

void
_confab_window_chat_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "chat.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "chat.copy-last-reply", NULL, copy_last_reply_action);
}

/* The window goes: its replies stop (and are saved as stopped). */
void
_confab_window_chat_dispose (ConfabWindow *self)
{
  GHashTableIter iter;
  gpointer runner;

  if (self->runners == NULL)
    return;
  g_hash_table_iter_init (&iter, self->runners);
  while (g_hash_table_iter_next (&iter, NULL, &runner))
    confab_chat_runner_stop (runner);
}
