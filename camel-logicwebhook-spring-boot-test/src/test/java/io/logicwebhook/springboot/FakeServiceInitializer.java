package io.logicwebhook.springboot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.component.logicwebhook.FakeService;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The fake remote service of a test application, as a bean of it: started before the application (whose trigger
 * subscribes while it starts), at {@code fake.url}, and closed after it (once Camel stopped and unsubscribed). It answers
 * the trigger's subscribe ({@code sub-1}) and the approval action's ({@code job-1}, {@code job-2}…).
 */
class FakeServiceInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        FakeService service;
        try {
            service = new FakeService();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        answer(service);
        TestPropertyValues.of("fake.url=" + service.url()).applyTo(context);
        DefaultListableBeanFactory beans = (DefaultListableBeanFactory) context.getBeanFactory();
        beans.registerSingleton("fakeService", service);
        // registered first, destroyed last: after Camel's stop, whose trigger unsubscribes
        beans.registerDisposableBean("fakeService", service::close);
    }

    void answer(FakeService service) {
        AtomicInteger jobIds = new AtomicInteger();
        service.on("POST /subscriptions", r -> FakeService.Answer.of(201, "{\"id\":\"sub-1\"}"));
        service.on("POST /jobs", r -> FakeService.Answer.of(201, "{\"id\":\"job-" + jobIds.incrementAndGet() + "\"}"));
    }

    /** Also answers the relay action's subscribes, and calls them back ({@link CallingBackService}). */
    static class CallingBack extends FakeServiceInitializer {
        @Override
        void answer(FakeService service) {
            super.answer(service);
            CallingBackService.on(service);
        }
    }
}
