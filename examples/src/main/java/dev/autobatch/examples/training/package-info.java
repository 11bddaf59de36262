/**
 * Training for the examples: the two Fashion-MNIST models, the learning-rate scaling rule, a
 * training loop that reports held-out accuracy, and the side-by-side comparison of batch sizes.
 */
package dev.autobatch.examples.training;
