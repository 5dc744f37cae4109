/**
 * A minimal testharness for running web-platform-tests files in Node: the
 * globals those files call (test, async_test, promise_test, the assert_*
 * functions) with the semantics of WPT's resources/testharness.js, written
 * here from its documented behaviour. A Harness holds the subtests of one
 * file and says when all of them are done.
 */

export type Status = 'PASS' | 'FAIL' | 'TIMEOUT';

export interface Result {
  name: string;
  status: Status;
  message?: string;
}

export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

type Fn = (...args: unknown[]) => unknown;

export class Test {
  status: Status | undefined;
  message: string | undefined;
  private readonly cleanups: Fn[] = [];

  constructor(
    readonly name: string,
    private readonly harness: Harness,
  ) {}

  get finished(): boolean {
    return this.status !== undefined;
  }

  /** Runs `fn`; an exception fails the test. Once the test is over, steps are ignored (testharness.js does the same). */
  step(fn: Fn, thisObject?: unknown, ...args: unknown[]): unknown {
    if (this.finished) return undefined;
    try {
      return fn.apply(thisObject ?? this, args);
    } catch (error) {
      this.fail(error);
      return undefined;
    }
  }

  step_func(fn: Fn, thisObject?: unknown): Fn {
    const test = this;
    return function (this: unknown, ...args: unknown[]) {
      return test.step(fn, thisObject ?? test, ...args);
    };
  }

  step_func_done(fn?: Fn, thisObject?: unknown): Fn {
    const test = this;
    return function (this: unknown, ...args: unknown[]) {
      if (fn !== undefined) test.step(fn, thisObject ?? test, ...args);
      test.done();
    };
  }

  unreached_func(description?: string): Fn {
    return this.step_func(() => assertUnreached(description));
  }

  step_timeout(fn: Fn, ms: number, ...args: unknown[]): NodeJS.Timeout {
    return setTimeout(this.step_func(() => fn.apply(this, args)), ms);
  }

  add_cleanup(fn: Fn): void {
    this.cleanups.push(fn);
  }

  done(): void {
    this.finish('PASS', undefined);
  }

  fail(error: unknown): void {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.finish('FAIL', message);
  }

  timeOut(): void {
    this.finish('TIMEOUT', 'the test did not finish in time');
  }

  private finish(status: Status, message: string | undefined): void {
    if (this.finished) return;
    this.status = status;
    this.message = message;
    for (const cleanup of this.cleanups.splice(0)) {
      try {
        cleanup();
      } catch (error) {
        this.harness.error ??= error as Error;
      }
    }
    this.harness.testFinished();
  }
}

/** The subtests of one file. */
export class Harness {
  readonly tests: Test[] = [];
  /** An exception outside any test (the file's own code, a cleanup). */
  error: Error | undefined;
  private defaultNames = 0;
  private allDone: (() => void) | undefined;
  private promiseChain: Promise<void> = Promise.resolve();

  constructor(private readonly title: string) {}

  /** The globals a test file calls. */
  globals(): Record<string, unknown> {
    return {
      test: (fn: Fn, name?: string) => {
        const test = this.create(name);
        test.step(fn, test, test);
        test.done();
        return test;
      },
      async_test: (fn?: Fn | string, name?: string) => {
        if (typeof fn !== 'function') return this.create(fn);
        const test = this.create(name);
        test.step(fn, test, test);
        return test;
      },
      promise_test: (fn: (test: Test) => Promise<unknown>, name?: string) => {
        const test = this.create(name);
        // testharness.js runs promise tests one after another.
        this.promiseChain = this.promiseChain.then(async () => {
          try {
            await test.step(fn, test, test);
            test.done();
          } catch (error) {
            test.fail(error);
          }
        });
        return test;
      },
      setup: () => undefined,
      done: () => undefined,
      ...ASSERTIONS,
    };
  }

  /** Resolves once every subtest created so far is over. */
  finished(): Promise<void> {
    return new Promise((resolve) => {
      this.allDone = resolve;
      this.testFinished();
    });
  }

  /** Fails what is still running with TIMEOUT. */
  timeOut(): void {
    for (const test of this.tests) test.timeOut();
  }

  results(): Result[] {
    return this.tests.map(({ name, status, message }) => ({ name, status: status ?? 'TIMEOUT', ...(message === undefined ? {} : { message }) }));
  }

  testFinished(): void {
    if (this.allDone !== undefined && this.tests.every((test) => test.finished)) this.allDone();
  }

  /** Unnamed tests are named after the file, then numbered, as testharness.js names them after the page title. */
  private create(name: string | undefined): Test {
    const suffix = this.defaultNames === 0 ? '' : ` ${this.defaultNames}`;
    if (!name) this.defaultNames++;
    const test = new Test(name || `${this.title}${suffix}`, this);
    this.tests.push(test);
    return test;
  }
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

function describe(description: string | undefined, message: string): string {
  return description ? `${description}: ${message}` : message;
}

/** testharness.js's equality: NaN equals NaN, +0 and -0 differ. */
function sameValue(a: unknown, b: unknown): boolean {
  return Object.is(a, b);
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'object' && value !== null) return Object.prototype.toString.call(value);
  return String(value);
}

/** The legacy constant names of DOMException codes (WebIDL §3.14.1, table of error names) that assert_throws takes. */
const LEGACY_CODE_NAMES: Record<string, string> = {
  INDEX_SIZE_ERR: 'IndexSizeError',
  HIERARCHY_REQUEST_ERR: 'HierarchyRequestError',
  NOT_FOUND_ERR: 'NotFoundError',
  NOT_SUPPORTED_ERR: 'NotSupportedError',
  INVALID_STATE_ERR: 'InvalidStateError',
  SYNTAX_ERR: 'SyntaxError',
  INVALID_MODIFICATION_ERR: 'InvalidModificationError',
  NAMESPACE_ERR: 'NamespaceError',
  INVALID_ACCESS_ERR: 'InvalidAccessError',
  TYPE_MISMATCH_ERR: 'TypeMismatchError',
  SECURITY_ERR: 'SecurityError',
  NETWORK_ERR: 'NetworkError',
  ABORT_ERR: 'AbortError',
  QUOTA_EXCEEDED_ERR: 'QuotaExceededError',
  TIMEOUT_ERR: 'TimeoutError',
  DATA_CLONE_ERR: 'DataCloneError',
};

/** The legacy numeric codes of those names; newer names have code 0. */
const LEGACY_CODES: Record<string, number> = {
  IndexSizeError: 1,
  HierarchyRequestError: 3,
  NotFoundError: 8,
  NotSupportedError: 9,
  InvalidStateError: 11,
  SyntaxError: 12,
  InvalidModificationError: 13,
  NamespaceError: 14,
  InvalidAccessError: 15,
  TypeMismatchError: 17,
  SecurityError: 18,
  NetworkError: 19,
  AbortError: 20,
  QuotaExceededError: 22,
  TimeoutError: 23,
  DataCloneError: 25,
};

function thrownBy(fn: Fn, description: string | undefined): unknown {
  try {
    fn();
  } catch (error) {
    if (error instanceof AssertionError) throw error;
    return error;
  }
  throw new AssertionError(describe(description, `${fn} did not throw`));
}

/** A DOMException of the given name (or legacy constant name), with its legacy code. */
function assertDomException(type: string, fn: Fn, description?: string): void {
  const error = thrownBy(fn, description);
  const name = LEGACY_CODE_NAMES[type] ?? type;
  assert(error instanceof DOMException, describe(description, `${fn} threw ${show(error)}, not a DOMException`));
  assert(error.name === name, describe(description, `${fn} threw ${error.name}, expected ${name}`));
  assert(error.code === (LEGACY_CODES[name] ?? 0), describe(description, `${fn} threw code ${error.code}, expected ${LEGACY_CODES[name] ?? 0}`));
}

const ASSERTIONS = {
  assert_true(actual: unknown, description?: string): void {
    assert(actual === true, describe(description, `expected true got ${show(actual)}`));
  },
  assert_false(actual: unknown, description?: string): void {
    assert(actual === false, describe(description, `expected false got ${show(actual)}`));
  },
  assert_equals(actual: unknown, expected: unknown, description?: string): void {
    assert(typeof actual === typeof expected, describe(description, `expected (${typeof expected}) ${show(expected)} but got (${typeof actual}) ${show(actual)}`));
    assert(sameValue(actual, expected), describe(description, `expected ${show(expected)} but got ${show(actual)}`));
  },
  assert_not_equals(actual: unknown, expected: unknown, description?: string): void {
    assert(!sameValue(actual, expected), describe(description, `got disallowed value ${show(actual)}`));
  },
  assert_array_equals(actual: ArrayLike<unknown>, expected: ArrayLike<unknown>, description?: string): void {
    assert(actual.length === expected.length, describe(description, `lengths differ, expected ${expected.length} got ${actual.length}`));
    for (let i = 0; i < actual.length; i++) assert(sameValue(actual[i], expected[i]), describe(description, `expected ${show(expected[i])} but got ${show(actual[i])} at index ${i}`));
  },
  assert_unreached: assertUnreached,
  /** The legacy form: a DOMException name or constant name, or an object whose `name` the exception must have. */
  assert_throws(code: string | { name: string }, fn: Fn, description?: string): void {
    if (typeof code === 'string') return assertDomException(code, fn, description);
    const error = thrownBy(fn, description) as { name?: unknown };
    assert(error?.name === code.name, describe(description, `${fn} threw ${show(error)}, expected ${code.name}`));
  },
  assert_throws_dom: assertDomException,
  /** By name: the file runs in a context of its own, whose TypeError is not the one our code throws. */
  assert_throws_js(constructor: new (...args: never[]) => Error, fn: Fn, description?: string): void {
    const error = thrownBy(fn, description) as { name?: unknown };
    assert(error?.name === constructor.name, describe(description, `${fn} threw ${show(error)}, expected ${constructor.name}`));
  },
};

function assertUnreached(description?: string): never {
  throw new AssertionError(describe(description, 'reached unreachable code'));
}
