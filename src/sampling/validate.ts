/** Argument checks shared by the samplers; each failure is an InvalidArgumentError naming the option. */
import { InvalidArgumentError } from "../errors.js";
import type { Seed } from "./types.js";

/** Validates a seed; returns it unchanged. */
export function checkSeed(seed: unknown): Seed {
  if (typeof seed === "string") return seed;
  if (typeof seed === "number" && Number.isSafeInteger(seed)) return seed;
  throw new InvalidArgumentError(`seed must be a safe integer or a string, got ${describe(seed)}`);
}

/** Throws InvalidArgumentError unless `value` is a safe integer ≥ 0. */
export function checkNonNegativeInt(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(`${name} must be a non-negative integer, got ${describe(value)}`);
  }
  return value;
}

/** Throws InvalidArgumentError unless `value` is a safe integer ≥ 1. */
export function checkPositiveInt(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(`${name} must be a positive integer, got ${describe(value)}`);
  }
  return value;
}

/** Short printable form of a bad value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  return String(value);
}
