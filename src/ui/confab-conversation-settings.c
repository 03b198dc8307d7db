/* confab-conversation-settings.c
 *
 * Edits the conversation's own settings in place; they apply to its next
 * message. The window saves them when the popover closes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "confab-conversation-settings.h"

struct _ConfabConversationSettings
{
  GtkPopover          parent_instance;

  /* Template widgets */
  GtkSpinButton      *max_tokens_spin;
  GtkTextView        *system_prompt_view;
  GtkSpinButton      *temperature_spin;
  GtkSwitch          *temperature_switch;

  /* Owned references */
  ConfabConversation *conversation;

  guint               loading : 1;
};

G_DEFINE_FINAL_TYPE (ConfabConversationSettings, confab_conversation_settings, GTK_TYPE_POPOVER)

enum {
  PROP_0,
  PROP_CONVERSATION,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
load (ConfabConversationSettings *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->system_prompt_view);
  const char *prompt = NULL;
  double temperature = -1;
  gint64 max_tokens = 0;

  if (self->conversation != NULL)
    {
      prompt = confab_conversation_get_system_prompt (self->conversation);
      temperature = confab_conversation_get_temperature (self->conversation);
      max_tokens = confab_conversation_get_max_tokens (self->conversation);
    }

  self->loading = TRUE;
  gtk_text_buffer_set_text (buffer, prompt != NULL ? prompt : "", -1);
  gtk_switch_set_active (self->temperature_switch, temperature >= 0);
  gtk_spin_button_set_value (self->temperature_spin, temperature >= 0 ? temperature : 1.0);
  gtk_spin_button_set_value (self->max_tokens_spin, max_tokens);
  self->loading = FALSE;
}

static void
store_system_prompt (ConfabConversationSettings *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->system_prompt_view);
  g_autofree char *text = NULL;
  GtkTextIter start, end;

  if (self->loading || self->conversation == NULL)
    return;
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  confab_conversation_set_system_prompt (self->conversation, text);
}

static void
store_temperature (ConfabConversationSettings *self)
{
  if (self->loading || self->conversation == NULL)
    return;
  confab_conversation_set_temperature (self->conversation,
                                       gtk_switch_get_active (self->temperature_switch)
                                       ? gtk_spin_button_get_value (self->temperature_spin) : -1.0);
}

static void
on_temperature_switch (ConfabConversationSettings *self)
{
  store_temperature (self);
}

static void
on_temperature_changed (ConfabConversationSettings *self)
{
  store_temperature (self);
}

static void
on_max_tokens_changed (ConfabConversationSettings *self)
{
  if (self->loading || self->conversation == NULL)
    return;
  confab_conversation_set_max_tokens (self->conversation,
                                      gtk_spin_button_get_value_as_int (self->max_tokens_spin));
}

static void
on_closed (ConfabConversationSettings *self)
{
  store_system_prompt (self);
  if (self->conversation != NULL)
    g_signal_emit (self, signals[CHANGED], 0);
}

static void
confab_conversation_settings_dispose (GObject *object)
{
  ConfabConversationSettings *self = (ConfabConversationSettings *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_CONVERSATION_SETTINGS);
  g_clear_object (&self->conversation);

  G_OBJECT_CLASS (confab_conversation_settings_parent_class)->dispose (object);
}

static void
confab_conversation_settings_get_property (GObject    *object,
                                           guint       prop_id,
                                           GValue     *value,
                                           GParamSpec *pspec)
{
  ConfabConversationSettings *self = CONFAB_CONVERSATION_SETTINGS (object);

  switch (prop_id)
    {
    case PROP_CONVERSATION:
      g_value_set_object (value, self->conversation);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_conversation_settings_set_property (GObject      *object,
                                           guint         prop_id,
                                           const GValue *value,
                                           GParamSpec   *pspec)
{
  ConfabConversationSettings *self = CONFAB_CONVERSATION_SETTINGS (object);

  switch (prop_id)
    {
    case PROP_CONVERSATION:
      confab_conversation_settings_set_conversation (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_conversation_settings_class_init (ConfabConversationSettingsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_conversation_settings_dispose;
  object_class->get_property = confab_conversation_settings_get_property;
  object_class->set_property = confab_conversation_settings_set_property;

  properties[PROP_CONVERSATION] =
    g_param_spec_object ("conversation", NULL, NULL, CONFAB_TYPE_CONVERSATION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ConfabConversationSettings::changed:
   *
   * The popover closed; the conversation's settings may have changed.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-conversation-settings.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationSettings, max_tokens_spin);
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationSettings, system_prompt_view);
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationSettings, temperature_spin);
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationSettings, temperature_switch);
  gtk_widget_class_bind_template_callback (widget_class, on_closed);
  gtk_widget_class_bind_template_callback (widget_class, on_max_tokens_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_temperature_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_temperature_switch);
}

static void
confab_conversation_settings_init (ConfabConversationSettings *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
confab_conversation_settings_new (void)
{
  return g_object_new (CONFAB_TYPE_CONVERSATION_SETTINGS, NULL);
}

ConfabConversation *
confab_conversation_settings_get_conversation (ConfabConversationSettings *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION_SETTINGS (self), NULL);
  return self->conversation;
}

void
confab_conversation_settings_set_conversation (ConfabConversationSettings *self,
                                               ConfabConversation         *conversation)
{
  g_return_if_fail (CONFAB_IS_CONVERSATION_SETTINGS (self));
  g_return_if_fail (conversation == NULL || CONFAB_IS_CONVERSATION (conversation));

  if (self->conversation == conversation)
    return;
  /* Keep what was typed for the conversation being left. */
  store_system_prompt (self);
  g_set_object (&self->conversation, conversation);
  load (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONVERSATION]);
}
