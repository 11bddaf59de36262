/**
 * Real training data for the examples: a reader for the IDX file format and Fashion-MNIST as DJL
 * {@code ArrayDataset}s with a held-out validation split.
 */
package dev.autobatch.examples.data;
