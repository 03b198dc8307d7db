/* confab-markdown-blocks.c: the widgets that show markdown blocks
 *
 * Each ConfabMarkdownNode kind maps to one widget: paragraphs and
 * headings to selectable, wrapping GtkLabels fed escaped markup, code to
 * ConfabCodeBlock, images to ConfabMarkdownImage placeholders, quotes,
 * lists and table cells to boxes, tables to a GtkGrid. Reconciling a new
 * block tree with the widgets of the previous one keeps every widget
 * whose block kept its shape, so a streaming paragraph is one label
 * whose markup grows, not a new label per frame.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-code-block.h"
#include "confab-markdown-blocks.h"
#include "confab-markdown-image.h"
#include "confab-markdown-resources.h"
#include "confab-markdown-text.h"

#define CSS_RESOURCE "/io/github/confab/Confab/markdown/confab-markdown.css"

struct _ConfabMarkdownBlocks
{
  /* borrowed */
  GtkWidget  *owner;      /* the ConfabMarkdownView; it owns this struct */

  /* owned */
  GHashTable *requested;  /* image URIs ::load-image was emitted for */
  GPtrArray  *pending;    /* image URIs to emit ::load-image for */
  gboolean    remote_images;
};

static GtkWidget *build (ConfabMarkdownBlocks *self,
                         ConfabMarkdownNode   *node);

ConfabMarkdownBlocks *
confab_markdown_blocks_new (GtkWidget *owner)
{
  ConfabMarkdownBlocks *self = g_new0 (ConfabMarkdownBlocks, 1);

  self->owner = owner;
  self->requested = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->pending = g_ptr_array_new_with_free_func (g_free);
  return self;
}

void
confab_markdown_blocks_free (ConfabMarkdownBlocks *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->requested);
  g_ptr_array_unref (self->pending);
  g_free (self);
}

static gboolean
on_activate_link (GtkLabel   *label,
                  const char *uri,
                  GtkWidget  *owner)
{
  g_autofree char *normalized = confab_markdown_normalize_uri (uri, -1);

  if (confab_markdown_uri_is_openable (normalized))
    g_signal_emit_by_name (owner, "open-link", normalized);

  /* Handled either way: GTK's default handler would launch any scheme
   * (file:, smb:, a custom handler) without asking. */
  return TRUE;
}

static float
xalign_for (ConfabMarkdownAlign align)
{
  switch (align)
    {
    case CONFAB_MARKDOWN_ALIGN_CENTER:
      return 0.5f;
    case CONFAB_MARKDOWN_ALIGN_RIGHT:
      return 1.0f;
    case CONFAB_MARKDOWN_ALIGN_DEFAULT:
    case CONFAB_MARKDOWN_ALIGN_LEFT:
    default:
      return 0.0f;
    }
}

/* Ctrl+C copies what the model wrote, without the zero-width spaces
 * confab_markdown_break_long_runs() added for layout. */
static void
on_copy_clipboard (GtkLabel *label)
{
  const char *text = gtk_label_get_text (label);
  g_autoptr(GString) copied = g_string_new (NULL);
  const char *p;
  const char *end;
  int start_offset;
  int end_offset;

  if (!gtk_label_get_selection_bounds (label, &start_offset, &end_offset))
    return;

  g_signal_stop_emission_by_name (label, "copy-clipboard");
  end = g_utf8_offset_to_pointer (text, end_offset);
  for (p = g_utf8_offset_to_pointer (text, start_offset); p < end; p = g_utf8_next_char (p))
    if (g_utf8_get_char (p) != CONFAB_MARKDOWN_BREAK_CHAR)
      g_string_append_len (copied, p, g_utf8_next_char (p) - p);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (label)), copied->str);
}

static GtkWidget *
create_label (ConfabMarkdownBlocks     *self,
              const ConfabMarkdownNode *node)
{
  gboolean heading = node->kind == CONFAB_MARKDOWN_NODE_HEADING;
  GtkWidget *label = g_object_new (GTK_TYPE_LABEL,
                                   "accessible-role", heading ? GTK_ACCESSIBLE_ROLE_HEADING
                                                              : GTK_ACCESSIBLE_ROLE_LABEL,
                                   NULL);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  /* WORD_CHAR: a 10,000-character URL or base64 line must wrap too. */
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), xalign_for (node->align));
  gtk_label_set_justify (GTK_LABEL (label),
                         node->align == CONFAB_MARKDOWN_ALIGN_CENTER ? GTK_JUSTIFY_CENTER
                         : node->align == CONFAB_MARKDOWN_ALIGN_RIGHT ? GTK_JUSTIFY_RIGHT
                         : GTK_JUSTIFY_LEFT);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  /* GtkLabel measures its minimum width by laying out the text at this
   * width: at 0, one character a line, Pango takes quadratic time on a
   * long word. Labels in table cells (header set) stay narrower so
   * tables fit. */
  gtk_label_set_width_chars (GTK_LABEL (label), node->header ? 6 : 20);
  /* A paragraph fills the reply's width: its natural width (its text on
   * one line, a layout of its own) is never used. A table's cells size
   * their columns by it. */
  if (!node->header)
    gtk_label_set_natural_wrap_mode (GTK_LABEL (label), GTK_NATURAL_WRAP_INHERIT);
  gtk_label_set_markup (GTK_LABEL (label), node->text);
  g_signal_connect_object (label, "activate-link", G_CALLBACK (on_activate_link),
                           self->owner, 0);
  g_signal_connect (label, "copy-clipboard", G_CALLBACK (on_copy_clipboard), NULL);

  if (heading)
    {
      g_autofree char *level_class = g_strdup_printf ("md-h%u", node->level);

      gtk_widget_add_css_class (label, "md-heading");
      gtk_widget_add_css_class (label, level_class);
      gtk_accessible_update_property (GTK_ACCESSIBLE (label),
                                      GTK_ACCESSIBLE_PROPERTY_LEVEL, (int) node->level,
                                      -1);
    }
  else
    {
      gtk_widget_add_css_class (label, "md-paragraph");
    }
  return label;
}

static GtkWidget *
create_box (GtkOrientation  orientation,
            int             spacing,
            const char     *css_class)
{
  GtkWidget *box = gtk_box_new (orientation, spacing);

  gtk_widget_add_css_class (box, css_class);
  return box;
}

static GtkWidget *
create_marker (const ConfabMarkdownNode *node)
{
  static const char * const bullets[] = { "•", "◦", "▪" };
  GtkWidget *marker;

  if (node->task)
    {
      /* Shows the state; a reply cannot be edited by ticking it. */
      marker = gtk_check_button_new ();
      gtk_check_button_set_active (GTK_CHECK_BUTTON (marker), node->checked);
      gtk_widget_set_can_target (marker, FALSE);
      gtk_widget_set_focusable (marker, FALSE);
      gtk_widget_add_css_class (marker, "md-task");
    }
  else if (node->ordered)
    {
      g_autofree char *number = g_strdup_printf ("%u.", node->number);

      marker = gtk_label_new (number);
      gtk_label_set_xalign (GTK_LABEL (marker), 1.0f);
      gtk_label_set_width_chars (GTK_LABEL (marker), 3);
      gtk_widget_add_css_class (marker, "md-marker");
    }
  else
    {
      marker = gtk_label_new (bullets[node->level % G_N_ELEMENTS (bullets)]);
      gtk_label_set_width_chars (GTK_LABEL (marker), 2);
      gtk_widget_add_css_class (marker, "md-marker");
    }
  gtk_widget_set_valign (marker, GTK_ALIGN_START);
  return marker;
}

/* A grid, not a horizontal box: GtkBox gives its children their widths by
 * measuring each for the box's height, and a wrapping label answers that
 * by laying its text out at a dozen widths (GTK 4.8), so every label of a
 * list was shaped again that many times on each frame the list grew.
 * GtkGrid measures the widths first, then the heights for them: a
 * 100 KB reply renders 2.3 times faster (docs/PERFORMANCE.md). */
static GtkWidget *
create_item (const ConfabMarkdownNode *node)
{
  GtkWidget *item = gtk_grid_new ();
  GtkWidget *content = create_box (GTK_ORIENTATION_VERTICAL, 8, "md-item-content");

  gtk_widget_add_css_class (item, "md-item");
  gtk_grid_set_column_spacing (GTK_GRID (item), 6);
  gtk_widget_set_hexpand (content, TRUE);
  gtk_grid_attach (GTK_GRID (item), create_marker (node), 0, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (item), content, 1, 0, 1, 1);
  return item;
}

static GtkWidget *
create_list (const ConfabMarkdownNode *node)
{
  GtkWidget *list = create_box (GTK_ORIENTATION_VERTICAL, node->tight ? 4 : 10, "md-list");

  gtk_widget_add_css_class (list, node->ordered ? "md-ordered" : "md-bulleted");
  gtk_widget_add_css_class (list, node->tight ? "md-tight" : "md-loose");
  return list;
}

static GtkWidget *
create_table (void)
{
  GtkWidget *table = gtk_grid_new ();

  gtk_widget_add_css_class (table, "md-table");
  gtk_widget_set_halign (table, GTK_ALIGN_START);
  return table;
}

static GtkWidget *
create_cell (const ConfabMarkdownNode *node)
{
  GtkWidget *cell = create_box (GTK_ORIENTATION_VERTICAL, 4, "md-cell");

  if (node->header)
    gtk_widget_add_css_class (cell, "md-header");
  if (node->column == 0)
    gtk_widget_add_css_class (cell, "md-first-column");
  gtk_widget_set_hexpand (cell, TRUE);
  return cell;
}

static void
on_image_load (ConfabMarkdownImage *image,
               GtkWidget           *owner)
{
  g_signal_emit_by_name (owner, "load-image", confab_markdown_image_get_uri (image));
}

static void
request_image (ConfabMarkdownBlocks *self,
               const char           *uri)
{
  if (!self->remote_images || !confab_markdown_uri_is_remote_image (uri)
      || g_hash_table_contains (self->requested, uri))
    return;
  g_hash_table_add (self->requested, g_strdup (uri));
  g_ptr_array_add (self->pending, g_strdup (uri));
}

static GtkWidget *
create_image (ConfabMarkdownBlocks     *self,
              const ConfabMarkdownNode *node)
{
  GtkWidget *image = confab_markdown_image_new (node->uri, node->text);

  g_signal_connect_object (image, "load", G_CALLBACK (on_image_load), self->owner, 0);
  request_image (self, node->uri);
  return image;
}

static GtkWidget *
create_code (const ConfabMarkdownNode *node)
{
  GtkWidget *code = confab_code_block_new (node->language);

  confab_code_block_set_code (CONFAB_CODE_BLOCK (code), node->text);
  return code;
}

static GtkWidget *
create_rule (void)
{
  GtkWidget *rule = gtk_separator_new (GTK_ORIENTATION_HORIZONTAL);

  gtk_widget_add_css_class (rule, "md-rule");
  return rule;
}

static GtkWidget *
create_widget (ConfabMarkdownBlocks *self,
               ConfabMarkdownNode   *node)
{
  switch (node->kind)
    {
    case CONFAB_MARKDOWN_NODE_PARAGRAPH:
    case CONFAB_MARKDOWN_NODE_HEADING:
      return create_label (self, node);
    case CONFAB_MARKDOWN_NODE_CODE:
      return create_code (node);
    case CONFAB_MARKDOWN_NODE_RULE:
      return create_rule ();
    case CONFAB_MARKDOWN_NODE_QUOTE:
      return create_box (GTK_ORIENTATION_VERTICAL, 8, "md-quote");
    case CONFAB_MARKDOWN_NODE_LIST:
      return create_list (node);
    case CONFAB_MARKDOWN_NODE_ITEM:
      return create_item (node);
    case CONFAB_MARKDOWN_NODE_TABLE:
      return create_table ();
    case CONFAB_MARKDOWN_NODE_CELL:
      return create_cell (node);
    case CONFAB_MARKDOWN_NODE_IMAGE:
      return create_image (self, node);
    case CONFAB_MARKDOWN_NODE_GROUP:
      return create_box (GTK_ORIENTATION_VERTICAL, 0, "md-paragraph-group");
    case CONFAB_MARKDOWN_NODE_ROOT:
    default:
      g_assert_not_reached ();
    }
}

/* Where a node's children go: an item's are beside its marker. */
static GtkWidget *
children_container (ConfabMarkdownNode *node)
{
  if (node->kind == CONFAB_MARKDOWN_NODE_ITEM)
    return gtk_widget_get_last_child (node->widget);
  return node->widget;
}

static void
insert_child (GtkWidget          *container,
              ConfabMarkdownNode *node,
              GtkWidget          *after)
{
  if (GTK_IS_GRID (container))
    gtk_grid_attach (GTK_GRID (container), node->widget, node->column, node->row, 1, 1);
  else if (GTK_IS_BOX (container))
    gtk_box_insert_child_after (GTK_BOX (container), node->widget, after);
  else
    gtk_widget_insert_after (node->widget, container, after);
}

/**
 * confab_markdown_blocks_release_focus:
 * @widget: a block about to be removed
 *
 * Moves the keyboard focus out of @widget first: with GTK 4.8, removing
 * a focused selectable label leaves the window with a stale focus widget
 * that fails critical checks on the next frame.
 */
void
confab_markdown_blocks_release_focus (GtkWidget *widget)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus;

  if (root == NULL)
    return;
  focus = gtk_root_get_focus (root);
  if (focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget)))
    gtk_root_set_focus (root, NULL);
}

static void
remove_child (GtkWidget *container,
              GtkWidget *child)
{
  confab_markdown_blocks_release_focus (child);
  if (GTK_IS_GRID (container))
    gtk_grid_remove (GTK_GRID (container), child);
  else if (GTK_IS_BOX (container))
    gtk_box_remove (GTK_BOX (container), child);
  else
    gtk_widget_unparent (child);
}

static GtkWidget *
build (ConfabMarkdownBlocks *self,
       ConfabMarkdownNode   *node)
{
  node->widget = create_widget (self, node);
  if (node->children != NULL)
    confab_markdown_blocks_reconcile (self, children_container (node), NULL, NULL, node->children);
  return node->widget;
}

/* @old shows what @node shows, but maybe less of it. */
static void
update (ConfabMarkdownBlocks *self,
        ConfabMarkdownNode   *old,
        ConfabMarkdownNode   *node)
{
  node->widget = old->widget;

  switch (node->kind)
    {
    case CONFAB_MARKDOWN_NODE_PARAGRAPH:
    case CONFAB_MARKDOWN_NODE_HEADING:
      if (g_strcmp0 (old->text, node->text) != 0)
        gtk_label_set_markup (GTK_LABEL (node->widget), node->text);
      break;
    case CONFAB_MARKDOWN_NODE_CODE:
      confab_code_block_set_code (CONFAB_CODE_BLOCK (node->widget), node->text);
      break;
    case CONFAB_MARKDOWN_NODE_ROOT:
    case CONFAB_MARKDOWN_NODE_RULE:
    case CONFAB_MARKDOWN_NODE_QUOTE:
    case CONFAB_MARKDOWN_NODE_LIST:
    case CONFAB_MARKDOWN_NODE_ITEM:
    case CONFAB_MARKDOWN_NODE_TABLE:
    case CONFAB_MARKDOWN_NODE_CELL:
    case CONFAB_MARKDOWN_NODE_IMAGE:
    case CONFAB_MARKDOWN_NODE_GROUP:
    default:
      break;
    }

  if (node->children != NULL)
    confab_markdown_blocks_reconcile (self, children_container (node), NULL,
                                      old->children, node->children);
}

/**
 * confab_markdown_blocks_reconcile:
 * @container: the widget holding the blocks
 * @after: (nullable): the widget in @container the blocks come after
 * @old_nodes: (nullable): the blocks shown now, with their widgets
 * @new_nodes: the blocks to show
 *
 * Makes @container show @new_nodes, reusing the widget of each old block
 * that has the same shape as the new block at its position, and sets the
 * widget of every new node.
 */
void
confab_markdown_blocks_reconcile (ConfabMarkdownBlocks *self,
                                  GtkWidget            *container,
                                  GtkWidget            *after,
                                  GPtrArray            *old_nodes,
                                  GPtrArray            *new_nodes)
{
  GtkWidget *previous = after;
  guint n_old = old_nodes != NULL ? old_nodes->len : 0;
  guint i;

  g_return_if_fail (self != NULL);
  g_return_if_fail (GTK_IS_WIDGET (container));
  g_return_if_fail (new_nodes != NULL);

  for (i = 0; i < new_nodes->len; i++)
    {
      ConfabMarkdownNode *node = g_ptr_array_index (new_nodes, i);
      ConfabMarkdownNode *old = i < n_old ? g_ptr_array_index (old_nodes, i) : NULL;

      if (old != NULL && confab_markdown_node_same_shape (old, node))
        {
          update (self, old, node);
        }
      else
        {
          if (old != NULL)
            remove_child (container, old->widget);
          build (self, node);
          insert_child (container, node, previous);
        }
      previous = node->widget;
    }

  for (; i < n_old; i++)
    remove_child (container, ((ConfabMarkdownNode *) g_ptr_array_index (old_nodes, i))->widget);
}

static void
request_shown_images (ConfabMarkdownBlocks *self,
                      GtkWidget            *widget)
{
  GtkWidget *child;

  if (CONFAB_IS_MARKDOWN_IMAGE (widget))
    request_image (self, confab_markdown_image_get_uri (CONFAB_MARKDOWN_IMAGE (widget)));

  for (child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    request_shown_images (self, child);
}

void
confab_markdown_blocks_set_remote_images (ConfabMarkdownBlocks *self,
                                          gboolean              remote_images)
{
  g_return_if_fail (self != NULL);

  self->remote_images = remote_images;
  if (remote_images)
    {
      request_shown_images (self, self->owner);
      confab_markdown_blocks_emit_pending_images (self);
    }
}

/* Emitted once the widgets are in place, so a handler that answers at
 * once with confab_markdown_view_set_image() finds its placeholder. */
void
confab_markdown_blocks_emit_pending_images (ConfabMarkdownBlocks *self)
{
  g_autoptr(GPtrArray) pending = NULL;
  guint i;

  g_return_if_fail (self != NULL);

  if (self->pending->len == 0)
    return;
  pending = g_steal_pointer (&self->pending);
  self->pending = g_ptr_array_new_with_free_func (g_free);
  for (i = 0; i < pending->len; i++)
    g_signal_emit_by_name (self->owner, "load-image", g_ptr_array_index (pending, i));
}

void
confab_markdown_blocks_forget_images (ConfabMarkdownBlocks *self)
{
  g_return_if_fail (self != NULL);

  g_hash_table_remove_all (self->requested);
  g_ptr_array_set_size (self->pending, 0);
}

/**
 * confab_markdown_blocks_set_image:
 * @root: a widget showing markdown blocks
 * @uri: an image URI
 * @paintable: (nullable): the image
 *
 * Shows @paintable in every placeholder for @uri under @root. Lists and
 * quotes are at most CONFAB_MARKDOWN_MAX_DEPTH deep, so this recursion is
 * bounded.
 */
void
confab_markdown_blocks_set_image (GtkWidget    *root,
                                  const char   *uri,
                                  GdkPaintable *paintable)
{
  GtkWidget *child;

  g_return_if_fail (GTK_IS_WIDGET (root));
  g_return_if_fail (uri != NULL);

  if (CONFAB_IS_MARKDOWN_IMAGE (root))
    {
      ConfabMarkdownImage *image = CONFAB_MARKDOWN_IMAGE (root);

      if (g_str_equal (confab_markdown_image_get_uri (image), uri))
        confab_markdown_image_set_paintable (image, paintable);
      return;
    }

  for (child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    confab_markdown_blocks_set_image (child, uri, paintable);
}

/**
 * confab_markdown_blocks_dup_css:
 *
 * Returns: (transfer full): the style sheet of markdown views: the
 *   resource's rules plus one class per text-scale step
 */
char *
confab_markdown_blocks_dup_css (void)
{
  g_autoptr(GBytes) bytes = NULL;
  GString *css = g_string_new (NULL);
  int percent;

  bytes = g_resource_lookup_data (confab_markdown_get_resource (), CSS_RESOURCE,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  g_assert (bytes != NULL);
  g_string_append_len (css, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  for (percent = 50; percent <= 300; percent += 5)
    g_string_append_printf (css, ".confab-markdown.md-scale-%d { font-size: %d%%; }\n",
                            percent, percent);
  return g_string_free (css, FALSE);
}
