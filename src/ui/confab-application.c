/* confab-application.c
 *
 * Owns what every window shares: the settings, the accounts (the same
 * accounts.json confab-cli uses, reloaded when it changes on disk), the
 * model lists and the history database.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "confab-application.h"
#include "confab-preferences-window.h"
#include "confab-window.h"

/* The development profile has its own settings (data/meson.build). */
#define SCHEMA_ID APP_ID
/* A burst of writes to accounts.json (confab-cli saves atomically) gives
 * several events; reload once it is quiet. */
#define RELOAD_DELAY_MS 200

struct _ConfabApplication
{
  AdwApplication      parent_instance;

  GSettings          *settings;
  ConfabAccountStore *accounts;
  GFileMonitor       *accounts_monitor;
  GBytes             *accounts_contents;
  ConfabModelCache   *models;
  ConfabHistoryStore *history;
  GError             *history_error;
  GtkCssProvider     *text_size_css;
  GCancellable       *cancellable;
  guint               reload_id;
};

G_DEFINE_FINAL_TYPE (ConfabApplication, confab_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_HISTORY,
  PROP_HISTORY_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/**
 * confab_settings_new:
 *
 * The app's settings. An uninstalled build (build-aux/run, tests) finds
 * the schema compiled in the build directory.
 *
 * Returns: (transfer full): the settings
 */
GSettings *
confab_settings_new (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, SCHEMA_ID, TRUE);
#ifdef CONFAB_BUILD_SCHEMA_DIR
  if (schema == NULL)
    {
      g_autoptr(GSettingsSchemaSource) build =
        g_settings_schema_source_new_from_directory (CONFAB_BUILD_SCHEMA_DIR, source, FALSE, NULL);

      if (build != NULL)
        schema = g_settings_schema_source_lookup (build, SCHEMA_ID, FALSE);
    }
#endif
  if (schema == NULL)
    g_error ("The settings schema %s is not installed", SCHEMA_ID);

  return g_settings_new_full (schema, NULL, NULL);
}

static GBytes *
read_accounts_file (ConfabApplication *self)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (confab_account_store_get_path (self->accounts), &contents, &len, NULL))
    return g_bytes_new (NULL, 0);
  return g_bytes_new_take (g_steal_pointer (&contents), len);
}

static gboolean
reload_accounts_cb (gpointer user_data)
{
  ConfabApplication *self = user_data;
  g_autoptr(GBytes) contents = read_accounts_file (self);
  g_autoptr(GError) error = NULL;

  self->reload_id = 0;
  /* Our own saves come back as change events: nothing to do for them. */
  if (self->accounts_contents != NULL && g_bytes_equal (contents, self->accounts_contents))
    return G_SOURCE_REMOVE;

  if (!confab_account_store_load (self->accounts, &error))
    {
      g_warning ("Could not reload the accounts: %s", error->message);
      return G_SOURCE_REMOVE;
    }
  g_clear_pointer (&self->accounts_contents, g_bytes_unref);
  self->accounts_contents = g_steal_pointer (&contents);
  return G_SOURCE_REMOVE;
}

static void
on_accounts_file_changed (ConfabApplication *self)
{
  g_clear_handle_id (&self->reload_id, g_source_remove);
  self->reload_id = g_timeout_add (RELOAD_DELAY_MS, reload_accounts_cb, self);
}

static void
load_accounts (ConfabApplication *self)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;

  self->accounts = confab_account_store_new (NULL);
  if (!confab_account_store_load (self->accounts, &error))
    g_warning ("Could not load the accounts: %s", error->message);
  self->accounts_contents = read_accounts_file (self);

  file = g_file_new_for_path (confab_account_store_get_path (self->accounts));
  self->accounts_monitor = g_file_monitor_file (file, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (self->accounts_monitor == NULL)
    {
      g_warning ("Cannot watch %s: %s", confab_account_store_get_path (self->accounts), error->message);
      return;
    }
  g_signal_connect_object (self->accounts_monitor, "changed",
                           G_CALLBACK (on_accounts_file_changed), self, G_CONNECT_SWAPPED);
}

static void
on_history_opened (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(ConfabApplication) self = user_data;
  ConfabHistoryStore *history = CONFAB_HISTORY_STORE (source);
  g_autoptr(GError) error = NULL;

  if (!confab_history_store_open_finish (history, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_warning ("Could not open the history: %s", error->message);
      self->history_error = g_steal_pointer (&error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY_ERROR]);
      return;
    }

  self->history = g_object_ref (history);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
}

static void
open_history (ConfabApplication *self)
{
  g_autoptr(ConfabHistoryStore) history = confab_history_store_new (NULL);

  confab_history_store_open_async (history, self->cancellable, on_history_opened,
                                   g_object_ref (self));
}

static void
update_text_size (ConfabApplication *self)
{
  double scale = g_settings_get_double (self->settings, "text-size");
  g_autofree char *css = NULL;
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (number, sizeof number, "%.0f", scale * 100);
  /* Replies scale themselves (ConfabMarkdownView:text-scale); this is
   * for the user's messages and the reasoning. */
  css = g_strdup_printf ("conversation-view message label.message-text,"
                         "conversation-view message label.reasoning { font-size: %s%%; }", number);
  gtk_css_provider_load_from_data (self->text_size_css, css, -1);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  ConfabApplication *self = user_data;
  g_autoptr(GList) windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));

  /* Closing each window lets it save its size and stop its streams. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  ConfabApplication *self = user_data;

  confab_application_show_preferences (self, gtk_application_get_active_window (GTK_APPLICATION (self)),
                                       NULL, FALSE);
}

static void
add_account_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  ConfabApplication *self = user_data;

  confab_application_show_preferences (self, gtk_application_get_active_window (GTK_APPLICATION (self)),
                                       NULL, TRUE);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  ConfabApplication *self = user_data;
  const char *developers[] = { _("The Confab contributors"), NULL };

  adw_show_about_window (gtk_application_get_active_window (GTK_APPLICATION (self)),
                         "application-name", _("Confab"),
                         "application-icon", APP_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Chat with large language models from many providers"),
                         "developers", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
open_conversation_action (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  ConfabApplication *self = user_data;
  GtkWindow *window;

  g_application_activate (G_APPLICATION (self));
  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (CONFAB_IS_WINDOW (window))
    confab_window_open_conversation (CONFAB_WINDOW (window), g_variant_get_string (parameter, NULL));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "preferences", preferences_action },
  { "add-account", add_account_action },
  { "about", about_action },
  { "open-conversation", open_conversation_action, "s" },
};

static void
set_accels (GtkApplication *app)
{
  static const struct { const char *action; const char *accels[3]; } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "chat.new", { "<Control>n", NULL } },
    { "chat.search", { "<Control>f", NULL } },
    { "window.close", { "<Control>w", NULL } },
    { "chat.stop", { "Escape", NULL } },
    { "chat.copy-last-reply", { "<Control><Shift>c", NULL } },
    { "win.show-help-overlay", { "<Control>question", NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (app, accels[i].action, accels[i].accels);
}

static void
confab_application_startup (GApplication *application)
{
  ConfabApplication *self = CONFAB_APPLICATION (application);

  G_APPLICATION_CLASS (confab_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  set_accels (GTK_APPLICATION (self));

  self->settings = confab_settings_new ();
  self->models = confab_model_cache_new ();
  load_accounts (self);
  open_history (self);

  self->text_size_css = gtk_css_provider_new ();
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (self->text_size_css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_signal_connect_object (self->settings, "changed::text-size",
                           G_CALLBACK (update_text_size), self, G_CONNECT_SWAPPED);
  update_text_size (self);
}

static void
confab_application_activate (GApplication *application)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  if (window == NULL)
    window = GTK_WINDOW (confab_window_new (CONFAB_APPLICATION (application)));
  gtk_window_present (window);
}

static void
confab_application_shutdown (GApplication *application)
{
  ConfabApplication *self = CONFAB_APPLICATION (application);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->reload_id, g_source_remove);
  if (self->accounts_monitor != NULL)
    g_file_monitor_cancel (self->accounts_monitor);

  G_APPLICATION_CLASS (confab_application_parent_class)->shutdown (application);
}

static void
confab_application_dispose (GObject *object)
{
  ConfabApplication *self = (ConfabApplication *)object;

  g_clear_handle_id (&self->reload_id, g_source_remove);
  g_clear_object (&self->accounts_monitor);
  g_clear_object (&self->accounts);
  g_clear_pointer (&self->accounts_contents, g_bytes_unref);
  g_clear_object (&self->models);
  g_clear_object (&self->history);
  g_clear_object (&self->settings);
  g_clear_object (&self->text_size_css);
  g_clear_object (&self->cancellable);
  g_clear_error (&self->history_error);

  G_OBJECT_CLASS (confab_application_parent_class)->dispose (object);
}

static void
confab_application_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  ConfabApplication *self = CONFAB_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;
    case PROP_HISTORY_ERROR:
      g_value_set_boxed (value, self->history_error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_application_class_init (ConfabApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = confab_application_dispose;
  object_class->get_property = confab_application_get_property;
  application_class->startup = confab_application_startup;
  application_class->activate = confab_application_activate;
  application_class->shutdown = confab_application_shutdown;

  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, CONFAB_TYPE_HISTORY_STORE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HISTORY_ERROR] =
    g_param_spec_boxed ("history-error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_application_init (ConfabApplication *self)
{
  self->cancellable = g_cancellable_new ();
}

ConfabApplication *
confab_application_new (void)
{
  return g_object_new (CONFAB_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       /* The Devel build has its own id but the same resources. */
                       "resource-base-path", "/io/github/confab/Confab",
                       NULL);
}

GSettings *
confab_application_get_settings (ConfabApplication *self)
{
  g_return_val_if_fail (CONFAB_IS_APPLICATION (self), NULL);
  return self->settings;
}

ConfabAccountStore *
confab_application_get_account_store (ConfabApplication *self)
{
  g_return_val_if_fail (CONFAB_IS_APPLICATION (self), NULL);
  return self->accounts;
}

ConfabModelCache *
confab_application_get_model_cache (ConfabApplication *self)
{
  g_return_val_if_fail (CONFAB_IS_APPLICATION (self), NULL);
  return self->models;
}

/* Returns: (nullable): the history, once it is open */
ConfabHistoryStore *
confab_application_get_history (ConfabApplication *self)
{
  g_return_val_if_fail (CONFAB_IS_APPLICATION (self), NULL);
  return self->history;
}

/* Returns: (nullable): why the history could not be opened */
const GError *
confab_application_get_history_error (ConfabApplication *self)
{
  g_return_val_if_fail (CONFAB_IS_APPLICATION (self), NULL);
  return self->history_error;
}

/* Saves accounts.json and remembers what we wrote, so that the file
 * monitor does not reload our own change. */
gboolean
confab_application_save_accounts (ConfabApplication  *self,
                                  GError            **error)
{
  g_return_val_if_fail (CONFAB_IS_APPLICATION (self), FALSE);

  if (!confab_account_store_save (self->accounts, error))
    return FALSE;
  g_clear_pointer (&self->accounts_contents, g_bytes_unref);
  self->accounts_contents = read_accounts_file (self);
  return TRUE;
}

/**
 * confab_application_show_preferences:
 * @parent: (nullable): the window to put the preferences over
 * @edit_account_id: (nullable): open the editor of this account
 * @add_account: open the editor of a new account
 */
void
confab_application_show_preferences (ConfabApplication *self,
                                     GtkWindow         *parent,
                                     const char        *edit_account_id,
                                     gboolean           add_account)
{
  ConfabPreferencesWindow *preferences;

  g_return_if_fail (CONFAB_IS_APPLICATION (self));

  preferences = confab_preferences_window_new (self);
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (preferences), parent);
  gtk_window_present (GTK_WINDOW (preferences));

  if (edit_account_id != NULL)
    confab_preferences_window_edit_account (preferences, edit_account_id);
  else if (add_account)
    confab_preferences_window_add_account (preferences);
}
