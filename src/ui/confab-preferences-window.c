/* confab-preferences-window.c
 *
 * Accounts (add, edit, remove, set default), General (send key, default
 * account, text size) and Privacy (remote images). Removing an account
 * removes its key from the keyring before the account leaves the file,
 * so no key is ever left behind without an account to find it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "confab-account-editor.h"
#include "confab-keyring.h"
#include "confab-preferences-window.h"

struct _ConfabPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  /* Template widgets */
  AdwPreferencesGroup  *accounts_group;
  AdwComboRow          *default_account_row;
  AdwActionRow         *no_accounts_row;
  GtkSwitch            *remote_images_switch;
  AdwComboRow          *send_key_row;
  GtkAdjustment        *text_size_adjustment;

  /* Owned references */
  ConfabApplication    *app;
  GSettings            *settings;
  ConfabAccountStore   *accounts;
  GPtrArray            *account_rows;

  guint                 updating : 1;
};

G_DEFINE_FINAL_TYPE (ConfabPreferencesWindow, confab_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* Toast titles are Pango markup in libadwaita 1.2. */
static void
toast (ConfabPreferencesWindow *self,
       const char              *title)
{
  g_autofree char *escaped = g_markup_escape_text (title, -1);

  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (escaped));
}

static void
save_accounts (ConfabPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (!confab_application_save_accounts (self->app, &error))
    toast (self, error->message);
}

/* Editing */

static void
on_editor_done (ConfabAccountEditor     *editor,
                const char              *message,
                ConfabPreferencesWindow *self)
{
  adw_preferences_window_close_subpage (ADW_PREFERENCES_WINDOW (self));
  if (message != NULL)
    toast (self, message);
}

static void
present_editor (ConfabPreferencesWindow *self,
                ConfabAccount           *account)
{
  GtkWidget *editor = confab_account_editor_new (self->app, account);

  g_signal_connect_object (editor, "done", G_CALLBACK (on_editor_done), self, 0);
  adw_preferences_window_present_subpage (ADW_PREFERENCES_WINDOW (self), editor);
}

void
confab_preferences_window_add_account (ConfabPreferencesWindow *self)
{
  g_return_if_fail (CONFAB_IS_PREFERENCES_WINDOW (self));

  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (self), "accounts");
  present_editor (self, NULL);
}

void
confab_preferences_window_edit_account (ConfabPreferencesWindow *self,
                                        const char              *account_id)
{
  ConfabAccount *account;

  g_return_if_fail (CONFAB_IS_PREFERENCES_WINDOW (self));

  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (self), "accounts");
  if ((account = confab_account_store_lookup_by_id (self->accounts, account_id)) == NULL)
    {
      toast (self, _("That account no longer exists"));
      return;
    }
  present_editor (self, account);
}

static void
on_add_account_clicked (ConfabPreferencesWindow *self)
{
  confab_preferences_window_add_account (self);
}

/* Removing */

typedef struct
{
  ConfabPreferencesWindow *self;
  char                    *account_id;
} RemoveData;

static RemoveData *
remove_data_new (ConfabPreferencesWindow *self,
                 const char              *account_id)
{
  RemoveData *data = g_new0 (RemoveData, 1);

  data->self = g_object_ref (self);
  data->account_id = g_strdup (account_id);
  return data;
}

static void
remove_data_free (RemoveData *data)
{
  g_object_unref (data->self);
  g_free (data->account_id);
  g_free (data);
}

static void
remove_data_closure_free (gpointer  data,
                          GClosure *closure)
{
  remove_data_free (data);
}

static void
on_key_cleared (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  RemoveData *data = user_data;
  ConfabPreferencesWindow *self = data->self;
  ConfabAccount *account = confab_account_store_lookup_by_id (self->accounts, data->account_id);
  g_autoptr(GError) error = NULL;
  const ConfabProviderInfo *info;

  if (!confab_keyring_clear_finish (result, &error) && account != NULL)
    {
      info = confab_account_get_provider_info (account);
      /* A keyless account (Ollama) may have nothing to clear and no
       * keyring to clear it from; any other keeps its account so that
       * its key is not orphaned. */
      if (info == NULL || info->needs_key)
        {
          g_autofree char *text = g_strdup_printf (_("The account was kept: its key could not be removed from the keyring (%s)"),
                                                   error->message);
          toast (self, text);
          remove_data_free (data);
          return;
        }
    }

  if (account != NULL)
    {
      g_autofree char *name = g_strdup (confab_account_get_name (account));
      g_autofree char *text = NULL;

      confab_account_store_remove (self->accounts, account);
      save_accounts (self);
      text = g_strdup_printf (_("Removed “%s”"), name);
      toast (self, text);
    }
  remove_data_free (data);
}

static void
on_remove_response (AdwMessageDialog *dialog,
                    const char       *response,
                    RemoveData       *data)
{
  if (!g_str_equal (response, "remove"))
    return;
  confab_keyring_clear_async (data->account_id, NULL, on_key_cleared,
                              remove_data_new (data->self, data->account_id));
}

static void
confirm_remove (ConfabPreferencesWindow *self,
                ConfabAccount           *account)
{
  AdwMessageDialog *dialog;
  g_autofree char *heading = g_strdup_printf (_("Remove “%s”?"), confab_account_get_name (account));
  RemoveData *data = remove_data_new (self, confab_account_get_id (account));

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading,
                                                       _("Its key is removed from the keyring too. Conversations stay.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "remove", _("_Remove"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_remove_response), data,
                         remove_data_closure_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Account rows */

static void
account_action_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ConfabPreferencesWindow *self = CONFAB_PREFERENCES_WINDOW (widget);
  ConfabAccount *account = confab_account_store_lookup_by_id (self->accounts,
                                                              g_variant_get_string (parameter, NULL));

  if (account == NULL)
    return;
  if (g_str_equal (action_name, "account.edit"))
    present_editor (self, account);
  else if (g_str_equal (action_name, "account.remove"))
    confirm_remove (self, account);
  else if (g_str_equal (action_name, "account.make-default"))
    {
      confab_account_store_set_default (self->accounts, account);
      g_settings_set_string (self->settings, "default-account", confab_account_get_id (account));
      save_accounts (self);
    }
}

static GtkWidget *
create_account_row (ConfabPreferencesWindow *self,
                    ConfabAccount           *account)
{
  const ConfabProviderInfo *info = confab_account_get_provider_info (account);
  const char *id = confab_account_get_id (account);
  gboolean is_default = account == confab_account_store_get_default (self->accounts);
  const char *provider = info != NULL ? confab_provider_info_get_display_name (info)
                                      : confab_account_get_provider_id (account);
  g_autofree char *subtitle = is_default ? g_strdup_printf (_("%s · Default"), provider) : g_strdup (provider);
  g_autofree char *edit_label = g_strdup_printf (_("Edit “%s”"), confab_account_get_name (account));
  g_autofree char *menu_label = g_strdup_printf (_("More for “%s”"), confab_account_get_name (account));
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenuItem) make_default = g_menu_item_new (_("Make _Default"), NULL);
  g_autoptr(GMenuItem) remove = g_menu_item_new (_("_Remove…"), NULL);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *edit = gtk_button_new_from_icon_name ("document-edit-symbolic");
  GtkWidget *more = gtk_menu_button_new ();

  /* Names are the user's text: no markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), confab_account_get_name (account));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  gtk_widget_set_valign (edit, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (edit, "flat");
  gtk_widget_set_tooltip_text (edit, _("Edit"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (edit), GTK_ACCESSIBLE_PROPERTY_LABEL, edit_label, -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (edit), "account.edit");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (edit), g_variant_new_string (id));

  g_menu_item_set_action_and_target_value (make_default, "account.make-default", g_variant_new_string (id));
  g_menu_item_set_action_and_target_value (remove, "account.remove", g_variant_new_string (id));
  if (!is_default)
    g_menu_append_item (menu, make_default);
  g_menu_append_item (menu, remove);
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (more), G_MENU_MODEL (menu));
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (more), "view-more-symbolic");
  gtk_widget_set_valign (more, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (more, "flat");
  gtk_accessible_update_property (GTK_ACCESSIBLE (more), GTK_ACCESSIBLE_PROPERTY_LABEL, menu_label, -1);

  adw_action_row_add_suffix (ADW_ACTION_ROW (row), edit);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), more);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), edit);
  return row;
}

static void
update_default_row (ConfabPreferencesWindow *self)
{
  ConfabAccount *account = confab_account_store_get_default (self->accounts);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));

  self->updating = TRUE;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabAccount) item = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);

      if (item == account)
        adw_combo_row_set_selected (self->default_account_row, i);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->default_account_row), n > 0);
  self->updating = FALSE;
}

static void
update_accounts (ConfabPreferencesWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));

  for (guint i = 0; i < self->account_rows->len; i++)
    adw_preferences_group_remove (self->accounts_group, g_ptr_array_index (self->account_rows, i));
  g_ptr_array_set_size (self->account_rows, 0);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ConfabAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);
      GtkWidget *row = create_account_row (self, account);

      adw_preferences_group_add (self->accounts_group, row);
      g_ptr_array_add (self->account_rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->no_accounts_row), n == 0);
  update_default_row (self);
}

/* General and Privacy */

static void
on_default_account_selected (ConfabPreferencesWindow *self)
{
  g_autoptr(ConfabAccount) account = NULL;
  guint selected = adw_combo_row_get_selected (self->default_account_row);

  if (self->updating || selected == GTK_INVALID_LIST_POSITION)
    return;
  account = g_list_model_get_item (G_LIST_MODEL (self->accounts), selected);
  if (account == NULL || account == confab_account_store_get_default (self->accounts))
    return;
  confab_account_store_set_default (self->accounts, account);
  g_settings_set_string (self->settings, "default-account", confab_account_get_id (account));
  save_accounts (self);
}

static void
on_send_key_selected (ConfabPreferencesWindow *self)
{
  g_settings_set_enum (self->settings, "send-key", adw_combo_row_get_selected (self->send_key_row));
}

static gboolean
text_size_get_mapping (GValue   *value,
                       GVariant *variant,
                       gpointer  user_data)
{
  g_value_set_double (value, g_variant_get_double (variant) * 100);
  return TRUE;
}

static GVariant *
text_size_set_mapping (const GValue       *value,
                       const GVariantType *expected_type,
                       gpointer            user_data)
{
  return g_variant_new_double (g_value_get_double (value) / 100);
}

static void
bind_settings (ConfabPreferencesWindow *self)
{
  g_autoptr(GtkExpression) name = gtk_property_expression_new (CONFAB_TYPE_ACCOUNT, NULL, "name");

  adw_combo_row_set_selected (self->send_key_row, g_settings_get_enum (self->settings, "send-key"));
  g_signal_connect_object (self->send_key_row, "notify::selected",
                           G_CALLBACK (on_send_key_selected), self, G_CONNECT_SWAPPED);

  g_settings_bind_with_mapping (self->settings, "text-size", self->text_size_adjustment, "value",
                                G_SETTINGS_BIND_DEFAULT, text_size_get_mapping, text_size_set_mapping,
                                NULL, NULL);
  g_settings_bind (self->settings, "remote-images", self->remote_images_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);

  adw_combo_row_set_expression (self->default_account_row, name);
  adw_combo_row_set_model (self->default_account_row, G_LIST_MODEL (self->accounts));
  g_signal_connect_object (self->default_account_row, "notify::selected",
                           G_CALLBACK (on_default_account_selected), self, G_CONNECT_SWAPPED);
}

/* GObject */

static void
confab_preferences_window_dispose (GObject *object)
{
  ConfabPreferencesWindow *self = (ConfabPreferencesWindow *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->accounts);
  g_clear_object (&self->settings);
  g_clear_object (&self->app);

  G_OBJECT_CLASS (confab_preferences_window_parent_class)->dispose (object);
}

static void
confab_preferences_window_finalize (GObject *object)
{
  ConfabPreferencesWindow *self = (ConfabPreferencesWindow *)object;

  g_clear_pointer (&self->account_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (confab_preferences_window_parent_class)->finalize (object);
}

static void
confab_preferences_window_class_init (ConfabPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_preferences_window_dispose;
  object_class->finalize = confab_preferences_window_finalize;

  gtk_widget_class_install_action (widget_class, "account.edit", "s", account_action_cb);
  gtk_widget_class_install_action (widget_class, "account.remove", "s", account_action_cb);
  gtk_widget_class_install_action (widget_class, "account.make-default", "s", account_action_cb);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, accounts_group);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, default_account_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, no_accounts_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, remote_images_switch);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, send_key_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, text_size_adjustment);
  gtk_widget_class_bind_template_callback (widget_class, on_add_account_clicked);
}

static void
confab_preferences_window_init (ConfabPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->account_rows = g_ptr_array_new ();
}

ConfabPreferencesWindow *
confab_preferences_window_new (ConfabApplication *application)
{
  ConfabPreferencesWindow *self;

  g_return_val_if_fail (CONFAB_IS_APPLICATION (application), NULL);

  self = g_object_new (CONFAB_TYPE_PREFERENCES_WINDOW, NULL);
  self->app = g_object_ref (application);
  self->settings = g_object_ref (confab_application_get_settings (application));
  self->accounts = g_object_ref (confab_application_get_account_store (application));

  bind_settings (self);
  /* After the combo row's own handler: it must see the new items before
   * we select among them. */
  g_signal_connect_object (self->accounts, "items-changed", G_CALLBACK (update_accounts), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (self->accounts, "notify::default-account",
                           G_CALLBACK (update_accounts), self, G_CONNECT_SWAPPED);
  update_accounts (self);
  return self;
}
