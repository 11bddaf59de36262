/**
 * The main job and runnable samples: tune, train and compare batch sizes on real data
 * (Fashion-MNIST).
 */
package dev.autobatch.examples;
