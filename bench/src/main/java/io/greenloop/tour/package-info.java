/** The tour: a program that walks through the library and prints what happens. Not part of the library. */
package io.greenloop.tour;
