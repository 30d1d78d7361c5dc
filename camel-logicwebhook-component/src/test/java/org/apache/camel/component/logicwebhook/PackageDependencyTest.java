package org.apache.camel.component.logicwebhook;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The packages' dependencies point one way: the top package (what a user sees) uses its collaborators' packages, and
 * those use of the top package only its configuration, constants and exceptions, and of each other nothing that
 * closes a circle.
 */
class PackageDependencyTest {

    private static final String TOP = "org.apache.camel.component.logicwebhook";

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(TOP);

    /** What the subpackages may use of the top package. */
    private static final DescribedPredicate<JavaClass> SHARED_WITH_SUBPACKAGES = DescribedPredicate.describe(
            "the configuration, the constants or an exception",
            type -> type.getName().equals(LogicWebhookConfiguration.class.getName())
                    || type.getName().equals(LogicWebhookConstants.class.getName())
                    || type.isAssignableTo(Exception.class));

    @Test
    void subpackagesUseOnlyTheConfigurationConstantsAndExceptionsOfTheTopPackage() {
        noClasses().that().resideInAPackage(TOP + ".(*)..")
                .should().dependOnClassesThat(resideInAPackage(TOP).and(DescribedPredicate.not(SHARED_WITH_SUBPACKAGES)))
                .check(MAIN);
    }

    @Test
    void whatSubpackagesShareDoesNotDependOnThem() {
        noClasses().that(resideInAPackage(TOP).and(SHARED_WITH_SUBPACKAGES))
                .should().dependOnClassesThat().resideInAPackage(TOP + ".(*)..")
                .check(MAIN);
    }

    @Test
    void subpackagesFormNoCycle() {
        slices().matching(TOP + ".(*)..").should().beFreeOfCycles().check(MAIN);
    }
}
