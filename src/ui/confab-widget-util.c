/* confab-widget-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-widget-util.h"

/* gtk_widget_dispose_template() only disposes the children that have an
 * id; a GtkWidget subclass must unparent the rest itself. */
void
confab_widget_unparent_children (GtkWidget *widget)
{
  GtkWidget *child;

  g_return_if_fail (GTK_IS_WIDGET (widget));

  while ((child = gtk_widget_get_first_child (widget)) != NULL)
    gtk_widget_unparent (child);
}
