/* confab-conversation-view.c
 *
 * A GtkListView over the conversation (a GListModel of ConfabMessage), so
 * only the rows on screen exist: a 5,000-message conversation costs what
 * a 20-message one does.
 *
 * While the user is at the bottom the view follows the stream; scrolling
 * up stops that, coming back to the bottom (or "Jump to the End") resumes
 * it. The list view re-estimates row heights as it goes, which moves the
 * adjustment by itself, so only moves that follow the user's own input
 * (wheel, touchpad, keys, the scrollbar) count as the user leaving.
 *
 * GTK 4.8's GtkListView binds some 200 rows around the visible ones; the
 * rows are lazy and render their text only near the screen. A row is
 * rendered when it is bound if its position is within NEAR_ROWS of the
 * rows the last frame showed (for a conversation just opened, of its end,
 * where it opens); the others hold an estimated height until the view
 * comes near them, and are then rendered in the frame clock's update
 * phase, before the layout of the frame that shows them. Content never
 * changes during the layout phase: a row rendered there once kept a stale
 * height in GTK 4.8 and its text was drawn over the line below.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "confab-conversation-view.h"
#include "confab-markdown-view.h"
#include "confab-message-row.h"
#include "confab-widget-util.h"

/* How close to the end, in pixels, still counts as "at the bottom". */
#define BOTTOM_SLACK 48.0
/* How long after the user's input a move of the view is theirs. */
#define USER_INPUT_US (500 * 1000)
/* Rows rendered beyond each end of those on screen: about a screenful of
 * short messages, more than a turn of the wheel brings. */
#define NEAR_ROWS 8
/* The time a frame spends rendering rows not yet on screen, nearest
 * first; the rest wait for the next frame. Rows on screen are always
 * rendered. */
#define RENDER_AHEAD_BUDGET_US 5000

struct _ConfabConversationView
{
  GtkWidget           parent_instance;

  /* Template widgets */
  AdwStatusPage      *empty_page;
  GtkRevealer        *jump_revealer;
  GtkListView        *list_view;
  GtkScrolledWindow  *scroller;
  GtkStack           *stack;

  /* Owned references */
  ConfabConversation *conversation;
  ConfabAccountStore *store;
  GtkNoSelection     *selection;
  GSignalGroup       *conversation_signals;
  /* uri → GdkPaintable: images the user loaded, shown again on rebind */
  GHashTable         *images;

  double              text_scale;
  gboolean            remote_images;

  gulong              update_handler;
  gulong              after_paint_handler;
  /* The positions of the first and last rows on screen at the last frame */
  guint               shown_first;
  guint               shown_last;
  guint               shown_known : 1;

  gint64              user_input_time;
  guint               scroll_idle_id;
  guint               ahead_idle_id;
  /* A row rendered between frames, to be measured at the next idle */
  GtkWidget          *ahead_row;
  guint               stick_tick_id;
  guint               stick_frames;
  guint               following : 1;
  guint               scrolling : 1;
};

G_DEFINE_FINAL_TYPE (ConfabConversationView, confab_conversation_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ACCOUNT_STORE,
  PROP_CONVERSATION,
  PROP_FOLLOWING,
  N_PROPS
};

enum {
  MESSAGE_ACTION,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gboolean
is_at_bottom (GtkAdjustment *adjustment)
{
  return gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment) >=
         gtk_adjustment_get_upper (adjustment) - BOTTOM_SLACK;
}

static void
set_following (ConfabConversationView *self,
               gboolean                following)
{
  following = !!following;
  gtk_revealer_set_reveal_child (self->jump_revealer, !following);
  if (self->following == following)
    return;
  self->following = following;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWING]);
}

static void
stick_to_bottom (ConfabConversationView *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  guint n = self->conversation ? g_list_model_get_n_items (G_LIST_MODEL (self->conversation)) : 0;

  self->scrolling = TRUE;
  /* The list view's own idea of the end first (it anchors the last row's
   * end to the view's), then whatever its estimates left. */
  if (n > 0)
    gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", n - 1);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) -
                                        gtk_adjustment_get_page_size (adjustment));
  self->scrolling = FALSE;
}

/* GtkListView learns row heights as it lays them out, so the end it
 * reports can still move in the frames after a row grew: keep going down
 * for a few frames. */
static gboolean
stick_tick_cb (GtkWidget     *widget,
               GdkFrameClock *frame_clock,
               gpointer       user_data)
{
  ConfabConversationView *self = CONFAB_CONVERSATION_VIEW (widget);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);

  if (!self->following || self->stick_frames == 0)
    {
      self->stick_tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  self->stick_frames--;
  if (gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment) <
      gtk_adjustment_get_upper (adjustment) - 1)
    stick_to_bottom (self);
  return G_SOURCE_CONTINUE;
}

static void
queue_stick (ConfabConversationView *self)
{
  self->stick_frames = 8;
  if (self->stick_tick_id == 0)
    self->stick_tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), stick_tick_cb, NULL, NULL);
}

static void
note_user_input (ConfabConversationView *self)
{
  self->user_input_time = g_get_monotonic_time ();
}

static gboolean
on_scroll (ConfabConversationView *self,
           double                  dx,
           double                  dy)
{
  note_user_input (self);
  return GDK_EVENT_PROPAGATE;
}

static void     request_render (ConfabConversationView *self);
static gboolean is_near        (ConfabConversationView *self,
                                guint                   position);

static void
on_value_changed (ConfabConversationView *self,
                  GtkAdjustment          *adjustment)
{
  request_render (self);
  if (self->scrolling)
    return;
  if (is_at_bottom (adjustment))
    set_following (self, TRUE);
  else if (g_get_monotonic_time () - self->user_input_time < USER_INPUT_US)
    set_following (self, FALSE);
  else if (self->following)
    {
      /* The list view moved by itself (re-estimated heights): stay down. */
      stick_to_bottom (self);
      queue_stick (self);
    }
}

/* The content grew (a delta arrived, a row was measured): keep the end in
 * sight if we are following. */
static void
on_bounds_changed (ConfabConversationView *self,
                   GParamSpec             *pspec,
                   GtkAdjustment          *adjustment)
{
  if (self->following)
    {
      stick_to_bottom (self);
      queue_stick (self);
    }
}

static gboolean
scroll_to_end_idle_cb (gpointer user_data)
{
  ConfabConversationView *self = user_data;
  guint n = self->conversation ? g_list_model_get_n_items (G_LIST_MODEL (self->conversation)) : 0;

  self->scroll_idle_id = 0;
  if (n > 0)
    gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", n - 1);
  stick_to_bottom (self);
  set_following (self, TRUE);
  return G_SOURCE_REMOVE;
}

static void
update_page (ConfabConversationView *self)
{
  guint n = self->conversation ? g_list_model_get_n_items (G_LIST_MODEL (self->conversation)) : 0;

  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "messages" : "empty");
}

static void
on_items_changed (ConfabConversationView *self,
                  guint                   position,
                  guint                   removed,
                  guint                   added)
{
  update_page (self);
  /* A new message (the user's, then the reply) brings the view back down. */
  if (added > 0 && removed == 0 &&
      position + added == g_list_model_get_n_items (G_LIST_MODEL (self->conversation)))
    confab_conversation_view_scroll_to_bottom (self);
}

static void
on_row_action (ConfabMessageRow       *row,
               const char             *name,
               const char             *parameter,
               ConfabConversationView *self)
{
  ConfabMessage *message = confab_message_row_get_message (row);

  if (message != NULL)
    g_signal_emit (self, signals[MESSAGE_ACTION], 0, message, name, parameter);
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              ConfabConversationView   *self)
{
  GtkWidget *row = confab_message_row_new ();

  /* The row's position in the list, for rendering the rows near the screen */
  g_object_set_data (G_OBJECT (row), "confab-list-item", item);

  /* Lazy rows (rendered when they come near the screen) open a
   * 5,000-message conversation several times faster. */
  confab_message_row_set_lazy (CONFAB_MESSAGE_ROW (row), TRUE);
  confab_message_row_set_account_store (CONFAB_MESSAGE_ROW (row), self->store);
  g_signal_connect_object (row, "action", G_CALLBACK (on_row_action), self, 0);
  gtk_list_item_set_child (item, row);
  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_selectable (item, FALSE);
}

static void
apply_images (ConfabConversationView *self,
              ConfabMessageRow       *row)
{
  GtkWidget *body = confab_message_row_get_body (row);
  GHashTableIter iter;
  gpointer uri, paintable;

  if (!CONFAB_IS_MARKDOWN_VIEW (body))
    return;
  g_hash_table_iter_init (&iter, self->images);
  while (g_hash_table_iter_next (&iter, &uri, &paintable))
    confab_markdown_view_set_image (CONFAB_MARKDOWN_VIEW (body), uri, paintable);
}

/* The rows on screen: the list view's children hold them. */
static void
foreach_row (ConfabConversationView *self,
             void                  (*func) (ConfabConversationView *, ConfabMessageRow *))
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_view)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *row = gtk_widget_get_first_child (child);

      if (CONFAB_IS_MESSAGE_ROW (row))
        func (self, CONFAB_MESSAGE_ROW (row));
    }
}

static void
apply_settings (ConfabConversationView *self,
                ConfabMessageRow       *row)
{
  confab_message_row_set_text_scale (row, self->text_scale);
  confab_message_row_set_remote_images (row, self->remote_images);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             ConfabConversationView   *self)
{
  ConfabMessageRow *row = CONFAB_MESSAGE_ROW (gtk_list_item_get_child (item));

  confab_message_row_set_account_store (row, self->store);
  confab_message_row_set_text_scale (row, self->text_scale);
  confab_message_row_set_remote_images (row, self->remote_images);
  confab_message_row_set_message (row, gtk_list_item_get_item (item));
  if (confab_message_row_get_content_pending (row) &&
      is_near (self, gtk_list_item_get_position (item)))
    confab_message_row_ensure_content (row);
  apply_images (self, row);
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               ConfabConversationView   *self)
{
  confab_message_row_set_message (CONFAB_MESSAGE_ROW (gtk_list_item_get_child (item)), NULL);
}

static guint
row_position (ConfabMessageRow *row)
{
  GtkListItem *item = g_object_get_data (G_OBJECT (row), "confab-list-item");

  return item != NULL ? gtk_list_item_get_position (item) : GTK_INVALID_LIST_POSITION;
}

/* How many rows @position is from those on screen at the last frame (0:
 * among them). Before a conversation's first frame, from the nearer end
 * it may show: its top for that frame (GTK 4.8's list view is placed at
 * its end only once measured), then its end if it opens there. */
static guint
distance_from_screen (ConfabConversationView *self,
                      guint                   position)
{
  guint n = self->conversation ? g_list_model_get_n_items (G_LIST_MODEL (self->conversation)) : 0;

  if (!self->shown_known)
    return self->following && position < n ? MIN (position, n - 1 - position) : position;
  if (position < self->shown_first)
    return self->shown_first - position;
  if (position > self->shown_last)
    return position - self->shown_last;
  return 0;
}

/* Whether the row at @position is near the rows on screen: within
 * NEAR_ROWS of them, or, before the first frame, among the NEAR_ROWS at
 * an end the view may show. */
static gboolean
is_near_distance (ConfabConversationView *self,
                  guint                   distance)
{
  return self->shown_known ? distance <= NEAR_ROWS : distance < NEAR_ROWS;
}

static gboolean
is_near (ConfabConversationView *self,
         guint                   position)
{
  return position != GTK_INVALID_LIST_POSITION &&
         is_near_distance (self, distance_from_screen (self, position));
}

typedef struct
{
  ConfabMessageRow *row;
  guint             distance;
} NearRow;

static int
compare_near_rows (gconstpointer a,
                   gconstpointer b)
{
  const NearRow *x = a, *y = b;

  return (x->distance > y->distance) - (x->distance < y->distance);
}

/* The bound rows near the screen that wait to be rendered, nearest first */
static GArray *
collect_near_rows (ConfabConversationView *self)
{
  GtkWidget *list = GTK_WIDGET (self->list_view);
  GArray *near = g_array_new (FALSE, FALSE, sizeof (NearRow));

  for (GtkWidget *child = gtk_widget_get_first_child (list); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *row = gtk_widget_get_first_child (child);
      guint position, distance;

      if (!CONFAB_IS_MESSAGE_ROW (row) ||
          !confab_message_row_get_content_pending (CONFAB_MESSAGE_ROW (row)))
        continue;
      position = row_position (CONFAB_MESSAGE_ROW (row));
      if (position == GTK_INVALID_LIST_POSITION)
        continue;
      distance = distance_from_screen (self, position);
      if (is_near_distance (self, distance))
        g_array_append_val (near, ((NearRow) { CONFAB_MESSAGE_ROW (row), distance }));
    }
  g_array_sort (near, compare_near_rows);
  return near;
}

static void
render_row (ConfabConversationView *self,
            ConfabMessageRow       *row)
{
  confab_message_row_ensure_content (row);
  apply_images (self, row);
}

static void schedule_render_ahead (ConfabConversationView *self);

/* Renders the bound rows near the screen, nearest first: those on screen
 * all, the others while this frame's budget lasts (scrolling a screenful
 * a frame brings a screenful of new rows into the band every frame); the
 * rest are rendered between frames. */
static void
render_near_rows (ConfabConversationView *self)
{
  g_autoptr(GArray) near = collect_near_rows (self);
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < near->len; i++)
    {
      NearRow *item = &g_array_index (near, NearRow, i);

      if (item->distance > 0 && g_get_monotonic_time () - start > RENDER_AHEAD_BUDGET_US)
        {
          schedule_render_ahead (self);
          break;
        }
      render_row (self, item->row);
    }
}

/* Between frames, a step an iteration: renders the nearest row that
 * waits, then, at the next iteration, measures it as the list will, so
 * that the frame that shows it finds its text laid out (a long reply's
 * text takes most of a frame's time to lay out). */
static gboolean
render_ahead_idle_cb (gpointer user_data)
{
  ConfabConversationView *self = user_data;
  GtkWidget *list = GTK_WIDGET (self->list_view);
  g_autoptr(GArray) near = NULL;
  ConfabMessageRow *row;

  if (self->ahead_row != NULL)
    {
      int width = 0;

      /* The width the list gives its rows */
      for (GtkWidget *child = gtk_widget_get_first_child (list); child != NULL && width <= 0;
           child = gtk_widget_get_next_sibling (child))
        if (gtk_widget_get_first_child (child) != NULL && gtk_widget_get_child_visible (child))
          width = gtk_widget_get_width (gtk_widget_get_first_child (child));
      if (width > 0 && gtk_widget_get_parent (self->ahead_row) != NULL)
        {
          gtk_widget_measure (self->ahead_row, GTK_ORIENTATION_HORIZONTAL, -1, NULL, NULL, NULL, NULL);
          gtk_widget_measure (self->ahead_row, GTK_ORIENTATION_VERTICAL, width, NULL, NULL, NULL, NULL);
        }
      g_clear_weak_pointer (&self->ahead_row);
      return G_SOURCE_CONTINUE;
    }

  if (!gtk_widget_get_mapped (list) ||
      (near = collect_near_rows (self))->len == 0)
    {
      self->ahead_idle_id = 0;
      return G_SOURCE_REMOVE;
    }
  row = g_array_index (near, NearRow, 0).row;
  render_row (self, row);
  g_set_weak_pointer (&self->ahead_row, GTK_WIDGET (row));
  return G_SOURCE_CONTINUE;
}

static void
schedule_render_ahead (ConfabConversationView *self)
{
  /* Below the frame clock's priority: frames come first. */
  if (self->ahead_idle_id == 0)
    self->ahead_idle_id = g_idle_add (render_ahead_idle_cb, self);
}

static void
request_render (ConfabConversationView *self)
{
  GdkFrameClock *frame_clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  if (frame_clock != NULL)
    gdk_frame_clock_request_phase (frame_clock, GDK_FRAME_CLOCK_PHASE_UPDATE);
}

/* Before the layout of a frame: the view may have moved (the wheel, the
 * scrollbar) since the last one. */
static void
on_frame_clock_update (GdkFrameClock          *frame_clock,
                       ConfabConversationView *self)
{
  if (gtk_widget_get_mapped (GTK_WIDGET (self->list_view)))
    render_near_rows (self);
}

/* After painting: which rows are on screen. GTK 4.8's list view allocates
 * only those. A row painted unrendered (the view jumped further than
 * NEAR_ROWS) is rendered at the next frame. */
static void
on_frame_clock_after_paint (GdkFrameClock          *frame_clock,
                            ConfabConversationView *self)
{
  GtkWidget *list = GTK_WIDGET (self->list_view);
  double height = gtk_widget_get_height (list);
  guint first = G_MAXUINT, last = 0;
  gboolean unrendered = FALSE;

  if (!gtk_widget_get_mapped (list))
    return;
  for (GtkWidget *child = gtk_widget_get_first_child (list); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *row = gtk_widget_get_first_child (child);
      graphene_rect_t bounds;
      guint position;

      if (!CONFAB_IS_MESSAGE_ROW (row) || gtk_widget_get_height (child) <= 0 ||
          !gtk_widget_get_child_visible (child) ||
          !gtk_widget_compute_bounds (child, list, &bounds) ||
          bounds.origin.y + bounds.size.height < 0 || bounds.origin.y > height ||
          (position = row_position (CONFAB_MESSAGE_ROW (row))) == GTK_INVALID_LIST_POSITION)
        continue;
      first = MIN (first, position);
      last = MAX (last, position);
      unrendered |= confab_message_row_get_content_pending (CONFAB_MESSAGE_ROW (row));
    }
  if (first == G_MAXUINT)
    return;
  /* Rows come near the screen when it moves; those bound near it are
   * rendered when bound. */
  if (!self->shown_known || first != self->shown_first || last != self->shown_last)
    schedule_render_ahead (self);
  self->shown_first = first;
  self->shown_last = last;
  self->shown_known = TRUE;
  if (unrendered)
    request_render (self);
}

static void
confab_conversation_view_realize (GtkWidget *widget)
{
  ConfabConversationView *self = CONFAB_CONVERSATION_VIEW (widget);

  GTK_WIDGET_CLASS (confab_conversation_view_parent_class)->realize (widget);

  self->update_handler = g_signal_connect_object (gtk_widget_get_frame_clock (widget), "update",
                                                  G_CALLBACK (on_frame_clock_update), self, 0);
  self->after_paint_handler = g_signal_connect_object (gtk_widget_get_frame_clock (widget),
                                                       "after-paint",
                                                       G_CALLBACK (on_frame_clock_after_paint),
                                                       self, 0);
}

static void
confab_conversation_view_unrealize (GtkWidget *widget)
{
  ConfabConversationView *self = CONFAB_CONVERSATION_VIEW (widget);

  g_clear_signal_handler (&self->update_handler, gtk_widget_get_frame_clock (widget));
  g_clear_signal_handler (&self->after_paint_handler, gtk_widget_get_frame_clock (widget));
  g_clear_handle_id (&self->ahead_idle_id, g_source_remove);
  g_clear_weak_pointer (&self->ahead_row);

  GTK_WIDGET_CLASS (confab_conversation_view_parent_class)->unrealize (widget);
}

static void
on_jump_clicked (ConfabConversationView *self)
{
  confab_conversation_view_scroll_to_bottom (self);
}

static void
confab_conversation_view_dispose (GObject *object)
{
  ConfabConversationView *self = (ConfabConversationView *)object;

  g_clear_handle_id (&self->scroll_idle_id, g_source_remove);
  g_clear_handle_id (&self->ahead_idle_id, g_source_remove);
  g_clear_weak_pointer (&self->ahead_row);
  if (self->stick_tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->stick_tick_id);
      self->stick_tick_id = 0;
    }
  g_signal_group_set_target (self->conversation_signals, NULL);
  if (self->list_view != NULL)
    gtk_list_view_set_model (self->list_view, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_CONVERSATION_VIEW);
  /* Template children without an id are not disposed with it. */
  confab_widget_unparent_children (GTK_WIDGET (self));
  g_clear_object (&self->selection);
  g_clear_object (&self->conversation);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (confab_conversation_view_parent_class)->dispose (object);
}

static void
confab_conversation_view_finalize (GObject *object)
{
  ConfabConversationView *self = (ConfabConversationView *)object;

  g_clear_object (&self->conversation_signals);
  g_clear_pointer (&self->images, g_hash_table_unref);

  G_OBJECT_CLASS (confab_conversation_view_parent_class)->finalize (object);
}

static void
confab_conversation_view_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  ConfabConversationView *self = CONFAB_CONVERSATION_VIEW (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_CONVERSATION:
      g_value_set_object (value, self->conversation);
      break;
    case PROP_FOLLOWING:
      g_value_set_boolean (value, self->following);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_conversation_view_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  ConfabConversationView *self = CONFAB_CONVERSATION_VIEW (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT_STORE:
      confab_conversation_view_set_account_store (self, g_value_get_object (value));
      break;
    case PROP_CONVERSATION:
      confab_conversation_view_set_conversation (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_conversation_view_class_init (ConfabConversationViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_conversation_view_dispose;
  object_class->finalize = confab_conversation_view_finalize;
  object_class->get_property = confab_conversation_view_get_property;
  object_class->set_property = confab_conversation_view_set_property;
  widget_class->realize = confab_conversation_view_realize;
  widget_class->unrealize = confab_conversation_view_unrealize;

  properties[PROP_ACCOUNT_STORE] =
    g_param_spec_object ("account-store", NULL, NULL, CONFAB_TYPE_ACCOUNT_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONVERSATION] =
    g_param_spec_object ("conversation", NULL, NULL, CONFAB_TYPE_CONVERSATION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FOLLOWING] =
    g_param_spec_boolean ("following", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ConfabConversationView::message-action:
   * @message: the message
   * @name: what to do (see ConfabMessageRow::action)
   * @parameter: (nullable): an account id, for some actions
   */
  signals[MESSAGE_ACTION] =
    g_signal_new ("message-action", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3,
                  CONFAB_TYPE_MESSAGE, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/confab/Confab/confab-conversation-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationView, jump_revealer);
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationView, list_view);
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationView, scroller);
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationView, stack);
  gtk_widget_class_bind_template_callback (widget_class, on_jump_clicked);
  gtk_widget_class_set_css_name (widget_class, "conversation-view");

  g_type_ensure (ADW_TYPE_STATUS_PAGE);
}

static void
confab_conversation_view_init (ConfabConversationView *self)
{
  GtkListItemFactory *factory;
  GtkEventController *controller;
  GtkAdjustment *adjustment;

  gtk_widget_init_template (GTK_WIDGET (self));

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect_object (factory, "setup", G_CALLBACK (setup_row_cb), self, 0);
  g_signal_connect_object (factory, "bind", G_CALLBACK (bind_row_cb), self, 0);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (unbind_row_cb), self, 0);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);

  self->selection = gtk_no_selection_new (NULL);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  self->conversation_signals = g_signal_group_new (CONFAB_TYPE_CONVERSATION);
  g_signal_group_connect_object (self->conversation_signals, "items-changed",
                                 G_CALLBACK (on_items_changed), self, G_CONNECT_SWAPPED);

  /* What counts as the user moving the view: the wheel or touchpad, keys,
   * and pressing anywhere in it (the scrollbar included). */
  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  gtk_event_controller_set_name (controller, "confab-user-scroll");
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (controller, "scroll", G_CALLBACK (on_scroll), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->scroller), controller);
  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (controller, "key-pressed", G_CALLBACK (note_user_input), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->scroller), controller);
  controller = GTK_EVENT_CONTROLLER (gtk_gesture_click_new ());
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (controller, "pressed", G_CALLBACK (note_user_input), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->scroller), controller);
  controller = GTK_EVENT_CONTROLLER (gtk_gesture_drag_new ());
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (controller, "drag-update", G_CALLBACK (note_user_input), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->scroller), controller);

  adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  g_signal_connect_object (adjustment, "value-changed",
                           G_CALLBACK (on_value_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (adjustment, "notify::upper",
                           G_CALLBACK (on_bounds_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (adjustment, "notify::page-size",
                           G_CALLBACK (on_bounds_changed), self, G_CONNECT_SWAPPED);

  self->following = TRUE;
  self->text_scale = 1.0;
  self->images = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  update_page (self);
}

GtkWidget *
confab_conversation_view_new (void)
{
  return g_object_new (CONFAB_TYPE_CONVERSATION_VIEW, NULL);
}

/* Returns: (nullable) (transfer none): the conversation shown */
ConfabConversation *
confab_conversation_view_get_conversation (ConfabConversationView *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION_VIEW (self), NULL);
  return self->conversation;
}

/* glibc keeps the heap memory freed for later allocations: after a long
 * conversation or a huge reply was closed, hundreds of MiB of it
 * (docs/PERFORMANCE.md). Give it back a moment after the closed one is
 * gone, the history's thread included. */
#define TRIM_DELAY_MS 1000

static guint trim_id;

static gboolean
trim_heap_cb (gpointer user_data)
{
  trim_id = 0;
#ifdef __GLIBC__
  malloc_trim (0);
#endif
  return G_SOURCE_REMOVE;
}

static void
queue_trim_heap (void)
{
  if (trim_id == 0)
    trim_id = g_timeout_add_full (G_PRIORITY_LOW, TRIM_DELAY_MS, trim_heap_cb, NULL, NULL);
}

/* Opening a conversation shows its end, where the latest reply is. */
void
confab_conversation_view_set_conversation (ConfabConversationView *self,
                                           ConfabConversation     *conversation)
{
  g_return_if_fail (CONFAB_IS_CONVERSATION_VIEW (self));
  g_return_if_fail (conversation == NULL || CONFAB_IS_CONVERSATION (conversation));

  if (self->conversation != NULL && self->conversation != conversation)
    queue_trim_heap ();
  if (!g_set_object (&self->conversation, conversation))
    return;

  g_signal_group_set_target (self->conversation_signals, conversation);
  /* It opens at its end: until its first frame, that is what is near. */
  self->shown_known = FALSE;
  gtk_no_selection_set_model (self->selection, G_LIST_MODEL (conversation));
  update_page (self);
  confab_conversation_view_scroll_to_bottom (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONVERSATION]);
}

ConfabAccountStore *
confab_conversation_view_get_account_store (ConfabConversationView *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION_VIEW (self), NULL);
  return self->store;
}

void
confab_conversation_view_set_account_store (ConfabConversationView *self,
                                            ConfabAccountStore     *store)
{
  g_return_if_fail (CONFAB_IS_CONVERSATION_VIEW (self));
  g_return_if_fail (store == NULL || CONFAB_IS_ACCOUNT_STORE (store));

  if (!g_set_object (&self->store, store))
    return;
  /* Rows pick the store up when they are bound again. */
  gtk_no_selection_set_model (self->selection, NULL);
  gtk_no_selection_set_model (self->selection, G_LIST_MODEL (self->conversation));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT_STORE]);
}

gboolean
confab_conversation_view_get_following (ConfabConversationView *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION_VIEW (self), FALSE);
  return self->following;
}

/* Shows the end and follows the stream again. */
void
confab_conversation_view_scroll_to_bottom (ConfabConversationView *self)
{
  g_return_if_fail (CONFAB_IS_CONVERSATION_VIEW (self));

  set_following (self, TRUE);
  stick_to_bottom (self);
  /* The rows of a conversation just set are not measured yet. */
  if (self->scroll_idle_id == 0)
    self->scroll_idle_id = g_idle_add_full (G_PRIORITY_LOW, scroll_to_end_idle_cb, self, NULL);
}

GtkAdjustment *
confab_conversation_view_get_vadjustment (ConfabConversationView *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION_VIEW (self), NULL);
  return gtk_scrolled_window_get_vadjustment (self->scroller);
}

/**
 * confab_conversation_view_set_image:
 * @uri: the image's address, as the markdown view reported it
 * @paintable: the loaded image
 *
 * Shows a loaded image wherever a reply shows @uri, now and when rows
 * come back on screen.
 */
void
confab_conversation_view_set_image (ConfabConversationView *self,
                                    const char             *uri,
                                    GdkPaintable           *paintable)
{
  g_return_if_fail (CONFAB_IS_CONVERSATION_VIEW (self));
  g_return_if_fail (uri != NULL);
  g_return_if_fail (GDK_IS_PAINTABLE (paintable));

  g_hash_table_replace (self->images, g_strdup (uri), g_object_ref (paintable));
  foreach_row (self, apply_images);
}

/* The text size preference, relative to normal. */
void
confab_conversation_view_set_text_scale (ConfabConversationView *self,
                                         double                  text_scale)
{
  g_return_if_fail (CONFAB_IS_CONVERSATION_VIEW (self));

  self->text_scale = text_scale;
  foreach_row (self, apply_settings);
}

/* Whether images in replies load without a click (the Privacy page). */
void
confab_conversation_view_set_remote_images (ConfabConversationView *self,
                                            gboolean                remote_images)
{
  g_return_if_fail (CONFAB_IS_CONVERSATION_VIEW (self));

  self->remote_images = !!remote_images;
  foreach_row (self, apply_settings);
}
