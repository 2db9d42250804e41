package io.webrtcgw.testing;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import org.junit.jupiter.api.extension.DynamicTestInvocationContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * On CI ({@code CI=true}) a test that skips itself fails instead: a failed assumption there means
 * a missing install step, not a test that does not apply. Registered for every test through
 * {@code META-INF/services} and {@code junit-platform.properties}.
 */
public final class NoSkipOnCi implements InvocationInterceptor {
  /** {@code -Dgateway.ci=true|false} overrides the environment, so that this extension can be tested. */
  static boolean onCi() {
    return "true".equalsIgnoreCase(System.getProperty("gateway.ci", System.getenv("CI")));
  }

  private static <T> T strict(Invocation<T> invocation) throws Throwable {
    try {
      return invocation.proceed();
    } catch (TestAbortedException e) {
      if (!onCi()) {
        throw e;
      }
      throw new AssertionFailedError("skipped on CI, where every test must run: " + e.getMessage(), e);
    }
  }

  @Override
  public <T> T interceptTestClassConstructor(Invocation<T> invocation,
      ReflectiveInvocationContext<Constructor<T>> invocationContext, ExtensionContext extensionContext)
      throws Throwable {
    return strict(invocation);
  }

  @Override
  public void interceptBeforeAllMethod(Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext extensionContext) throws Throwable {
    strict(invocation);
  }

  @Override
  public void interceptBeforeEachMethod(Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext extensionContext) throws Throwable {
    strict(invocation);
  }

  @Override
  public void interceptTestMethod(Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext extensionContext) throws Throwable {
    strict(invocation);
  }

  @Override
  public <T> T interceptTestFactoryMethod(Invocation<T> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext extensionContext) throws Throwable {
    return strict(invocation);
  }

  @Override
  public void interceptTestTemplateMethod(Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext extensionContext) throws Throwable {
    strict(invocation);
  }

  @Override
  public void interceptDynamicTest(Invocation<Void> invocation, DynamicTestInvocationContext invocationContext,
      ExtensionContext extensionContext) throws Throwable {
    strict(invocation);
  }
}
