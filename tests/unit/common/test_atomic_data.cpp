#include <gtest/gtest.h>

#include "ph3mpi/common/atomic_data.hpp"

using namespace ph3mpi::common;

// Values of phonopy 4.4's phonopy.structure.atomic_data.AtomicData (symbol_map, atom_data).
TEST(AtomicData, SymbolsNumbersAndPhonopyMasses) {
  EXPECT_EQ(atomic_number("H"), 1);
  EXPECT_EQ(atomic_number("Si"), 14);
  EXPECT_EQ(atomic_number("Cl"), 17);
  EXPECT_EQ(atomic_number("Uuo"), 118);
  EXPECT_EQ(atomic_number("X"), 0);
  EXPECT_EQ(atomic_number("si"), 0);
  EXPECT_EQ(atomic_number(""), 0);
  EXPECT_EQ(element_symbol(13), "Al");
  EXPECT_EQ(element_symbol(0), "");
  EXPECT_EQ(element_symbol(119), "");
  for (int z = 1; z <= kMaxAtomicNumber; ++z) EXPECT_EQ(atomic_number(element_symbol(z)), z);
  EXPECT_DOUBLE_EQ(*standard_atomic_mass(14), 28.0855);
  EXPECT_DOUBLE_EQ(*standard_atomic_mass(11), 22.98976928);
  EXPECT_DOUBLE_EQ(*standard_atomic_mass(12), 24.305);
  EXPECT_DOUBLE_EQ(*standard_atomic_mass(43), 98.0);
  EXPECT_DOUBLE_EQ(*standard_atomic_mass(93), 237.0);
  EXPECT_FALSE(standard_atomic_mass(84).has_value());  // Po: phonopy has no mass
  EXPECT_FALSE(standard_atomic_mass(0).has_value());
}

TEST(AtomicData, SplitsIndexedSymbols) {
  EXPECT_EQ(split_symbol_and_index("Fe"), (std::pair<std::string, int>{"Fe", 0}));
  EXPECT_EQ(split_symbol_and_index("Cl12"), (std::pair<std::string, int>{"Cl", 12}));
  EXPECT_EQ(split_symbol_and_index("Cl0").first, "");
  EXPECT_EQ(split_symbol_and_index("Cl_1").first, "");
  EXPECT_EQ(split_symbol_and_index("GeSn").first, "");
  EXPECT_EQ(split_symbol_and_index("3Fe").first, "");
}
