/* confab-conversation-row.c
 *
 * Shows either a ConfabConversation (title and when it was last used) or
 * a ConfabHistoryHit (title and the matching snippet, matches in bold).
 * The snippet is conversation text, so the bold comes from attributes on
 * plain text, never from markup.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "confab-conversation-row.h"
#include "confab-conversation.h"
#include "confab-history-hit.h"
#include "confab-widget-util.h"

struct _ConfabConversationRow
{
  GtkWidget      parent_instance;

  /* Template widgets */
  GtkMenuButton *menu_button;
  GtkLabel      *subtitle_label;
  GtkLabel      *title_label;

  /* Owned references */
  GObject       *item;
  GSignalGroup  *item_signals;
};

G_DEFINE_FINAL_TYPE (ConfabConversationRow, confab_conversation_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ITEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/**
 * confab_conversation_row_format_time:
 *
 * "14:05" today, "Yesterday", the weekday within a week, else the date.
 *
 * Returns: the text
 */
char *
confab_conversation_row_format_time (gint64 time_us,
                                     gint64 now_us)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (time_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_local (now_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) today = NULL;
  GTimeSpan since_midnight;

  if (time == NULL || now == NULL)
    return g_strdup ("");

  today = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now),
                                 g_date_time_get_day_of_month (now), 0, 0, 0);
  since_midnight = g_date_time_difference (time, today);

  if (since_midnight >= 0)
    /* Translators: a time today, see the GDateTime format docs */
    return g_date_time_format (time, _("%H:%M"));
  if (since_midnight >= -G_TIME_SPAN_DAY)
    return g_strdup (_("Yesterday"));
  if (since_midnight >= -6 * G_TIME_SPAN_DAY)
    return g_date_time_format (time, "%A");
  /* Translators: a date, see the GDateTime format docs */
  return g_date_time_format (time, _("%Y-%m-%d"));
}

static PangoAttrList *
highlight_attributes (ConfabHistoryHit *hit)
{
  PangoAttrList *attributes = pango_attr_list_new ();

  for (guint i = 0; i < confab_history_hit_get_n_highlights (hit); i++)
    {
      PangoAttribute *bold = pango_attr_weight_new (PANGO_WEIGHT_BOLD);
      guint start, end;

      confab_history_hit_get_highlight (hit, i, &start, &end);
      bold->start_index = start;
      bold->end_index = end;
      pango_attr_list_insert (attributes, bold);
    }
  return attributes;
}

static void
show_conversation (ConfabConversationRow *self,
                   ConfabConversation    *conversation)
{
  const char *title = confab_conversation_get_title (conversation);
  g_autofree char *when = confab_conversation_row_format_time (confab_conversation_get_updated (conversation),
                                                               g_get_real_time ());

  gtk_label_set_text (self->title_label, title != NULL && *title != '\0' ? title : _("New Chat"));
  gtk_label_set_attributes (self->subtitle_label, NULL);
  gtk_label_set_text (self->subtitle_label, when);
}

static void
show_hit (ConfabConversationRow *self,
          ConfabHistoryHit      *hit)
{
  const char *title = confab_history_hit_get_title (hit);
  g_autoptr(PangoAttrList) attributes = highlight_attributes (hit);

  gtk_label_set_text (self->title_label, title != NULL && *title != '\0' ? title : _("New Chat"));
  gtk_label_set_text (self->subtitle_label, confab_history_hit_get_snippet (hit));
  gtk_label_set_attributes (self->subtitle_label, attributes);
}

static void
update_menu (ConfabConversationRow *self)
{
  const char *id = confab_conversation_row_get_conversation_id (self);
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenuItem) rename = NULL;
  g_autoptr(GMenuItem) delete = NULL;

  if (id == NULL)
    {
      gtk_menu_button_set_menu_model (self->menu_button, NULL);
      return;
    }
  rename = g_menu_item_new (_("_Rename…"), NULL);
  g_menu_item_set_action_and_target_value (rename, "chat.rename-conversation",
                                           g_variant_new_string (id));
  delete = g_menu_item_new (_("_Delete"), NULL);
  g_menu_item_set_action_and_target_value (delete, "chat.delete-conversation",
                                           g_variant_new_string (id));
  g_menu_append_item (menu, rename);
  g_menu_append_item (menu, delete);
  gtk_menu_button_set_menu_model (self->menu_button, G_MENU_MODEL (menu));
}

static void
update (ConfabConversationRow *self)
{
  if (CONFAB_IS_CONVERSATION (self->item))
    show_conversation (self, CONFAB_CONVERSATION (self->item));
  else if (CONFAB_IS_HISTORY_HIT (self->item))
    show_hit (self, CONFAB_HISTORY_HIT (self->item));
  else
    {
      gtk_label_set_text (self->title_label, "");
      gtk_label_set_text (self->subtitle_label, "");
    }
  /* The menu is made when it is opened (create_menu_cb): one per bind
   * was half the start-up time with 1,000 conversations (a GtkPopoverMenu
   * per sidebar row, docs/PERFORMANCE.md). One made for the item shown
   * before must go. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->menu_button),
                            confab_conversation_row_get_conversation_id (self) != NULL);
  if (gtk_menu_button_get_menu_model (self->menu_button) != NULL)
    gtk_menu_button_set_menu_model (self->menu_button, NULL);
}

static void
create_menu_cb (GtkMenuButton *button,
                gpointer       user_data)
{
  update_menu (CONFAB_CONVERSATION_ROW (user_data));
}

static void
confab_conversation_row_dispose (GObject *object)
{
  ConfabConversationRow *self = (ConfabConversationRow *)object;

  g_signal_group_set_target (self->item_signals, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_CONVERSATION_ROW);
  /* Template children without an id are not disposed with it. */
  confab_widget_unparent_children (GTK_WIDGET (self));
  g_clear_object (&self->item);

  G_OBJECT_CLASS (confab_conversation_row_parent_class)->dispose (object);
}

static void
confab_conversation_row_finalize (GObject *object)
{
  ConfabConversationRow *self = (ConfabConversationRow *)object;

  g_clear_object (&self->item_signals);

  G_OBJECT_CLASS (confab_conversation_row_parent_class)->finalize (object);
}

static void
confab_conversation_row_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  ConfabConversationRow *self = CONFAB_CONVERSATION_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      g_value_set_object (value, self->item);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_conversation_row_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  ConfabConversationRow *self = CONFAB_CONVERSATION_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      confab_conversation_row_set_item (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_conversation_row_class_init (ConfabConversationRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_conversation_row_dispose;
  object_class->finalize = confab_conversation_row_finalize;
  object_class->get_property = confab_conversation_row_get_property;
  object_class->set_property = confab_conversation_row_set_property;

  properties[PROP_ITEM] =
    g_param_spec_object ("item", NULL, NULL, G_TYPE_OBJECT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-conversation-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationRow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationRow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationRow, title_label);
}

static void
confab_conversation_row_init (ConfabConversationRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_menu_button_set_create_popup_func (self->menu_button, create_menu_cb, self, NULL);

  self->item_signals = g_signal_group_new (G_TYPE_OBJECT);
  g_signal_group_connect_object (self->item_signals, "notify",
                                 G_CALLBACK (update), self, G_CONNECT_SWAPPED);
}

GtkWidget *
confab_conversation_row_new (void)
{
  return g_object_new (CONFAB_TYPE_CONVERSATION_ROW, NULL);
}

GObject *
confab_conversation_row_get_item (ConfabConversationRow *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION_ROW (self), NULL);
  return self->item;
}

/* @item: (nullable): a ConfabConversation or a ConfabHistoryHit */
void
confab_conversation_row_set_item (ConfabConversationRow *self,
                                  GObject               *item)
{
  g_return_if_fail (CONFAB_IS_CONVERSATION_ROW (self));
  g_return_if_fail (item == NULL || CONFAB_IS_CONVERSATION (item) || CONFAB_IS_HISTORY_HIT (item));

  if (!g_set_object (&self->item, item))
    return;
  /* Hits do not change; conversations are renamed and touched. */
  g_signal_group_set_target (self->item_signals, CONFAB_IS_CONVERSATION (item) ? item : NULL);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
}

/* Returns: (nullable): the id of the conversation shown */
const char *
confab_conversation_row_get_conversation_id (ConfabConversationRow *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION_ROW (self), NULL);

  if (CONFAB_IS_CONVERSATION (self->item))
    return confab_conversation_get_id (CONFAB_CONVERSATION (self->item));
  if (CONFAB_IS_HISTORY_HIT (self->item))
    return confab_history_hit_get_conversation_id (CONFAB_HISTORY_HIT (self->item));
  return NULL;
}
